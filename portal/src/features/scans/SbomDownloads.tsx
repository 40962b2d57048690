import { Button, Group, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { apiUrl } from '../../api/client';
import { shortDigest } from '../../components/format';
import { downloadFile } from './download';
import { artifactApiPath } from './queries';

const formats = [
  { format: 'cyclonedx', label: 'CycloneDX' },
  { format: 'spdx', label: 'SPDX' },
] as const;

/** Links to the image's SBOM in each format, downloaded with the session's token. */
export function SbomDownloads({ repository, digest }: { repository: string; digest: string }) {
  const download = useMutation({
    mutationFn: (format: string) =>
      downloadFile(
        sbomUrl(repository, digest, format),
        `${digest.replace(':', '-')}.${format}.json`,
      ),
  });

  return (
    <Group gap="xs">
      <Text size="sm" fw={600}>
        SBOM
      </Text>
      {formats.map(({ format, label }) => (
        <Button
          key={format}
          component="a"
          href={sbomUrl(repository, digest, format)}
          onClick={(event) => {
            event.preventDefault();
            download.mutate(format);
          }}
          variant="default"
          size="xs"
          leftSection={<IconDownload size={14} />}
          loading={download.isPending && download.variables === format}
          aria-label={`Download the ${label} SBOM of ${shortDigest(digest)}`}
        >
          {label}
        </Button>
      ))}
      {download.error && (
        <Text size="sm" c="red" role="alert">
          {download.error.message}
        </Text>
      )}
    </Group>
  );
}

function sbomUrl(repository: string, digest: string, format: string): string {
  return apiUrl(`${artifactApiPath(repository, digest)}/sbom`, { format });
}
