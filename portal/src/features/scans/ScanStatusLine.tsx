import { Button, Group, Loader, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, post } from '../../api/client';
import type { ScanOverview } from '../../api/types';
import { formatTime } from '../../components/format';
import { useRepositoryPermission } from '../projects/permissions';
import { artifactApiPath, inProgress, scanKey } from './queries';

/** Why a scan was last queued, as the server names it. */
const reasons: Record<string, string> = {
  push: 'after the push',
  request: 'on request',
  schedule: 'on schedule',
  advisories: 'after an advisory import',
};

interface ScanStatusLineProps {
  repository: string;
  /** The artifact's digest. */
  digest: string;
  scan: ScanOverview;
}

/**
 * Where the artifact's scan stands, said in a sentence that screen readers hear change, and
 * "Scan now" for those who may ask for one.
 */
export function ScanStatusLine({ repository, digest, scan }: ScanStatusLineProps) {
  const mayScan = useRepositoryPermission(repository)('scan') && scan.status !== 'unsupported';
  const request = useScanRequest(repository, digest);

  return (
    <Group gap="sm" wrap="wrap">
      {inProgress(scan.status) && <Loader size="xs" aria-hidden />}
      <Text size="sm" aria-live="polite" c={scan.status === 'failed' ? 'red' : undefined}>
        {describe(scan)}
      </Text>
      {mayScan && (
        <Button
          size="xs"
          variant="light"
          onClick={() => request.mutate()}
          loading={request.isPending}
          disabled={inProgress(scan.status)}
        >
          Scan now
        </Button>
      )}
      {request.error && (
        <Text size="sm" c="red" role="alert">
          {refusal(request.error)}
        </Text>
      )}
    </Group>
  );
}

/** POST …/scan; the answer (queued) replaces the status, which then polls until it is done. */
function useScanRequest(repository: string, digest: string) {
  const queryClient = useQueryClient();

  return useMutation({
    mutationFn: () => post<ScanOverview>(`${artifactApiPath(repository, digest)}/scan`),
    onSuccess: async (scan) => {
      queryClient.setQueryData(scanKey(repository, digest), scan);
      await queryClient.invalidateQueries({ queryKey: ['repository', repository, 'artifacts'] });
    },
  });
}

function describe(scan: ScanOverview): string {
  switch (scan.status) {
    case 'not-scanned':
      return 'Not scanned yet.';
    case 'queued':
      return `Queued for a scan${since(scan.queuedAt)}.`;
    case 'running':
      return `Scanning${since(scan.startedAt)}…`;
    case 'done':
      return `Scanned ${formatTime(scan.finishedAt)}${reasonOf(scan)}.`;
    case 'failed':
      return `The scan failed ${formatTime(scan.finishedAt)}: ${scan.error ?? 'no reason given'}.`;
    case 'unsupported':
      return 'Not an image (a signature, an SBOM, a chart…): there is nothing to scan.';
  }
}

function since(time: string | undefined): string {
  return time ? ` since ${formatTime(time)}` : '';
}

function reasonOf(scan: ScanOverview): string {
  const reason = scan.reason && reasons[scan.reason];
  return reason ? ` ${reason}` : '';
}

function refusal(error: Error): string {
  if (error instanceof ApiError && error.status === 403) return `Refused: ${error.message}.`;

  return `The scan could not be queued: ${error.message}.`;
}
