/**
 * What the portal asks of the server, recorded from the browser and held to the documents:
 * every call to /api/v1 must be an operation of the server's OpenAPI document, sent and
 * answered as it describes, and calls to /auth/token as the auth document describes. Anything
 * else the page fetches from Berth must be the app itself (its page and its assets): a call to
 * an undocumented route (the registry's /v2, /metrics, a private endpoint) is a finding.
 * Requests to other origins (the OIDC provider) are the provider's business.
 */
import type { Response } from 'playwright-core';
import { contractCheckerFor, parsedAnswer } from './api-client.js';
import type { Exchange } from './openapi-checker.js';

export interface PortalCall {
  method: string;
  url: URL;
  resourceType: string;
  requestContentType?: string;
  requestBody?: string;
  status: number;
  responseContentType: string | null;
  /** The answer's text, for API calls whose body the browser still held. */
  responseText?: string;
}

/** Reads what the checks need from one response the page received. */
export async function portalCallOf(response: Response): Promise<PortalCall> {
  const request = response.request();
  const url = new URL(request.url());
  const isApi = url.pathname.startsWith('/api/v1/') || url.pathname.startsWith('/auth/token');
  // Read first: Chromium drops a body once the page that asked for it has moved on. It never
  // keeps one sent as an attachment (the SBOM downloads), which it hands over as ''.
  const attachment = (response.headers()['content-disposition'] ?? '').startsWith('attachment');
  const responseText =
    isApi && !attachment ? await response.text().catch(() => undefined) : undefined;

  return {
    method: request.method(),
    url,
    resourceType: request.resourceType(),
    requestContentType: (await request.allHeaders())['content-type'],
    requestBody: request.postData() ?? undefined,
    status: response.status(),
    responseContentType: response.headers()['content-type'] ?? null,
    responseText,
  };
}

/** The calls to `berthOrigin` that break the rules above, each with the reason. */
export async function undocumentedCalls(
  calls: PortalCall[],
  berthOrigin: string,
): Promise<string[]> {
  const findings: string[] = [];

  for (const call of calls.filter((c) => c.url.origin === berthOrigin)) {
    const where = `${call.method} ${call.url.pathname}${call.url.search}`;
    try {
      await checkCall(call, berthOrigin);
    } catch (error) {
      findings.push(`${where}: ${(error as Error).message}`);
    }
  }

  return findings;
}

async function checkCall(call: PortalCall, berthOrigin: string): Promise<void> {
  const { pathname, search } = call.url;

  if (pathname.startsWith('/api/v1/') || pathname === '/auth/token') {
    const path = pathname.startsWith('/api/v1/') ? pathname.slice('/api/v1'.length) : pathname;
    const exchange: Exchange = {
      method: call.method,
      path: path + search,
      contentType: call.requestContentType,
      body: requestBodyOf(call),
    };
    const checker = await contractCheckerFor(berthOrigin, exchange.path);
    checker?.checkRequest(exchange);
    const answer =
      call.responseText === undefined
        ? { status: call.status, contentType: call.responseContentType, body: undefined }
        : parsedAnswer(call.status, call.responseContentType, call.responseText);
    checker?.checkResponse(exchange, answer);
    return;
  }

  // The app's own page (any client-side route), the OIDC redirects it navigates through, and
  // the files Vite built.
  if (call.resourceType === 'document' && call.method === 'GET') return;
  if (
    call.method === 'GET' &&
    (pathname.startsWith('/assets/') || /^\/[\w-]+\.\w+$/.test(pathname))
  )
    return;

  throw new Error(`a ${call.resourceType} request outside the documented API`);
}

function requestBodyOf(call: PortalCall): unknown {
  if (call.requestBody === undefined) return undefined;
  if ((call.requestContentType ?? '').startsWith('application/json')) {
    return JSON.parse(call.requestBody) as unknown;
  }

  return call.requestBody;
}
