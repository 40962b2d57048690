import { Badge, Group, SimpleGrid, Stack, Table } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { del, get, segment } from '../../api/client';
import type { ArtifactDetail } from '../../api/types';
import { Bytes } from '../../components/Bytes';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyText } from '../../components/CopyText';
import { DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import {
  artifactKind,
  formatBytes,
  formatTime,
  platformName,
  pullCommand,
  shortDigest,
} from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { Fact, Section } from '../../components/Section';
import { useProjectPermission } from '../projects/permissions';
import { projectOf, repositoryPath } from '../repositories/paths';
import { ArtifactScan } from '../scans/ArtifactScan';
import { useRepositoryRefresh } from './queries';
import { LayersTable } from './LayersTable';
import { DigestLink, Json, KeyValues } from './parts';
import { ReferrersTree } from './ReferrersTree';

export function ArtifactPage({ repository, reference }: { repository: string; reference: string }) {
  const navigate = useNavigate();
  const refresh = useRepositoryRefresh(repository);
  const detail = useQuery({
    queryKey: ['repository', repository, 'artifact', reference],
    queryFn: () =>
      get<ArtifactDetail>(`/repositories/${segment(repository)}/artifacts/${segment(reference)}`),
  });
  const project = projectOf(repository);
  const mayDelete = useProjectPermission(project)('delete-artifact');
  const a = detail.data;

  return (
    <Stack>
      <PageHeader
        title={reference.includes(':') ? shortDigest(reference) : `${repository}:${reference}`}
        crumbs={[
          { label: 'Projects', to: '/projects' },
          { label: project, to: `/projects/${project}` },
          {
            label: repository.slice(project.length + 1) || repository,
            to: repositoryPath(repository),
          },
          { label: reference.includes(':') ? shortDigest(reference) : reference },
        ]}
        actions={
          a &&
          mayDelete && (
            <ConfirmButton
              label="Delete artifact"
              message={`The artifact ${shortDigest(a.digest)} and its ${a.tagCount} tag(s) are deleted.`}
              onConfirm={async () => {
                await del(`/repositories/${segment(repository)}/artifacts/${a.digest}`);
                await refresh();
                navigate(repositoryPath(repository), { replace: true });
              }}
            />
          )
        }
      />
      <ErrorNotice error={detail.error} />
      {a && <ArtifactBody repository={repository} artifact={a} />}
    </Stack>
  );
}

function ArtifactBody({
  repository,
  artifact: a,
}: {
  repository: string;
  artifact: ArtifactDetail;
}) {
  return (
    <Stack gap="lg">
      <Section title="Overview">
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
          <Fact label="Digest">
            <CopyText value={a.digest} label="Copy the digest" />
          </Fact>
          <Fact label="Pull">
            <CopyText
              value={pullCommand(repository, a.digest)}
              shown="docker pull …@digest"
              label="Copy the pull command"
            />
          </Fact>
          <Fact label="Type">{artifactKind(a.mediaType, a.artifactType)}</Fact>
          <Fact label="Media type">{a.mediaType}</Fact>
          <Fact label="Size">
            <Bytes value={a.sizeBytes} />
          </Fact>
          <Fact label="Platform">
            {a.platform
              ? platformName(a.platform)
              : a.platforms.map(platformName).join(', ') || '—'}
          </Fact>
          <Fact label="Created">{formatTime(a.created, 'unknown')}</Fact>
          <Fact label="Pushed">{formatTime(a.pushedAt)}</Fact>
          <Fact label="Last pull">{formatTime(a.lastPulledAt)}</Fact>
          <Fact label={`Tags (${a.tagCount})`}>
            <Group gap={4}>
              {a.tags.map((tag) => (
                <Badge key={tag} variant="outline" tt="none">
                  {tag}
                </Badge>
              ))}
              {a.tags.length === 0 && 'none'}
            </Group>
          </Fact>
        </SimpleGrid>
      </Section>
      <ArtifactScan repository={repository} artifact={a} />
      {a.layers.length > 0 && <LayersTable layers={a.layers} />}
      {a.children.length > 0 && (
        <Section title={`Platforms (${a.children.length})`}>
          <DataTable columns={['Platform', 'Digest', 'Size']}>
            {a.children.map((child) => (
              <Table.Tr key={child.digest}>
                <Table.Td>{child.platform ? platformName(child.platform) : 'unknown'}</Table.Td>
                <Table.Td>
                  <DigestLink repository={repository} digest={child.digest} />
                </Table.Td>
                <Table.Td>
                  <Bytes value={child.sizeBytes} />
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        </Section>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Section title="Annotations">
          <KeyValues values={a.annotations} />
        </Section>
        <Section title="Labels">
          <KeyValues values={a.labels} />
        </Section>
      </SimpleGrid>
      <Section title={`Referrers (${a.referrers.length})`}>
        <ReferrersTree repository={repository} subject={a.digest} referrers={a.referrers} />
      </Section>
      {a.config && (
        <Section title="Config">
          <Json
            value={a.config.content ?? `${a.config.mediaType}, ${formatBytes(a.config.sizeBytes)}`}
            label="Image config"
          />
        </Section>
      )}
      <Section title="Manifest">
        <Json value={a.manifest} label="Manifest" />
      </Section>
    </Stack>
  );
}
