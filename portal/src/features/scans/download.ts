import { ApiError } from '../../api/client';
import { freshToken, renew } from '../../api/session';

/**
 * Fetches a file from the API with the session's token and hands it to the browser as a
 * download: a plain link cannot carry the Authorization header. The name is the one the
 * server gives (Content-Disposition), else `fallbackName`.
 */
export async function downloadFile(url: string, fallbackName: string): Promise<void> {
  const response = await fetchWithToken(url);
  if (!response.ok) throw await errorOf(response);

  const name = attachmentName(response.headers.get('content-disposition')) ?? fallbackName;
  save(await response.blob(), name);
}

async function fetchWithToken(url: string): Promise<Response> {
  const send = (token: string | null) =>
    fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  const response = await send(await freshToken());
  if (response.status !== 401) return response;

  const renewed = await renew();
  return renewed ? send(renewed.accessToken) : response;
}

async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as
    { errors?: { code: string; message: string }[] } | undefined;
  const first = body?.errors?.[0];

  return new ApiError(
    response.status,
    first?.code ?? 'UNKNOWN',
    first?.message ?? `download failed (${response.status})`,
  );
}

/** The file name of `attachment; filename="…"`. */
function attachmentName(disposition: string | null): string | undefined {
  return /filename="([^"]+)"/.exec(disposition ?? '')?.[1];
}

function save(blob: Blob, name: string): void {
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL is no longer needed once it has been read.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
