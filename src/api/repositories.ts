import { z } from 'zod';
import { projectOf, type Actor, type Auth } from '../auth/index.js';
import type { RepositoryOrder } from '../metadata/index.js';
import { isDigest } from '../oci/digest.js';
import { isIndexMediaType } from '../oci/mediatypes.js';
import { isValidTag } from '../oci/reference.js';
import { platformsOfIndex, readArtifact, referrersTree } from './artifact-detail.js';
import { invalid, notFound, openRepository, resolveReference } from './repository-access.js';
import * as r from './repository-shapes.js';
import { scanBrief } from './scan-shapes.js';
import { route, type ApiRoute } from './route.js';
import { listOf, pageQuery } from './schemas.js';

// Repositories, artifacts and tags of the registry as the portal and scripts browse them. Reads
// check the same actions as the registry (read-project, pull); deletes go through the registry's
// services and are audited as their /v2/ counterparts are.

/** Artifacts as listed: with their scan's status and counts when scanning is on. */
const artifactInListing = r.artifact.extend({ scan: scanBrief.optional() });

const projectParams = z.object({ project: z.string().min(1).max(128) });

/** Tags shown per artifact in a listing; the artifact's tags endpoint pages through the rest. */
const tagsPerArtifact = 10;
const tagsInDetail = 100;
const storageTop = 20;
const sizeHistoryPoints = 200;

export const repositoryRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/projects/{project}/repositories',
    operationId: 'listRepositories',
    summary: "A project's repositories with artifact counts, sizes and last push",
    tag: 'repositories',
    params: projectParams,
    query: r.repositoryQuery,
    status: 200,
    response: listOf(r.repository),
    anonymous: true,
    async handler({ actor, auth, registry, params, query }) {
      await auth.accounts.requireProject(actor, params.project, 'read-project');

      const { order, descending } = sortOf(query.sort);
      const slice = await registry.meta.summarizeRepositories(params.project, {
        search: query.search,
        offset: (query.page - 1) * query.pageSize,
        limit: query.pageSize,
        order,
        descending,
      });

      return {
        items: slice.items.map((item) => r.repositoryOut(item, params.project)),
        total: slice.total,
        page: query.page,
        pageSize: query.pageSize,
      };
    },
  }),
  route({
    method: 'GET',
    path: '/projects/{project}/storage',
    operationId: 'getProjectStorage',
    summary: "A project's storage: its usage, its limit and its largest repositories",
    tag: 'repositories',
    params: projectParams,
    status: 200,
    response: r.projectStorage,
    async handler({ actor, auth, registry, params }) {
      const quota = await auth.quotas.describe(actor, auth.accounts, params.project);
      const largest = await registry.meta.summarizeRepositories(params.project, {
        offset: 0,
        limit: storageTop,
        order: 'size',
        descending: true,
      });

      return {
        usedBytes: quota.usedBytes,
        limitBytes: quota.limitBytes,
        repositories: largest.items.map((item) => ({ name: item.name, sizeBytes: item.sizeBytes })),
        repositoryCount: largest.total,
      };
    },
  }),
  route({
    method: 'GET',
    path: '/repositories/{repository}',
    operationId: 'getRepository',
    summary: 'One repository with its artifact count, size and last push',
    tag: 'repositories',
    params: r.repositoryParams,
    status: 200,
    response: r.repository,
    anonymous: true,
    async handler({ actor, auth, registry, params }) {
      const target = await openRepository(auth, registry, actor, params.repository, 'read-project');
      // A name an abandoned upload left behind, with nothing stored, is no repository to show.
      const summary = await registry.meta.summarizeRepository(params.repository);
      if (!summary) throw notFound(`repository ${params.repository} does not exist`);

      return r.repositoryOut(summary, target.project);
    },
  }),
  route({
    method: 'DELETE',
    path: '/repositories/{repository}',
    operationId: 'deleteRepository',
    summary: 'Delete a repository with its artifacts and tags; open uploads are cancelled',
    tag: 'repositories',
    params: r.repositoryParams,
    status: 204,
    async handler({ actor, auth, registry, params }) {
      const target = await openRepository(
        auth,
        registry,
        actor,
        params.repository,
        'delete-repository',
      );

      const where = { repository: params.repository, resource: params.repository };
      await audited(auth, actor, 'repository.delete', where, async () => {
        for (const id of await registry.meta.listUploadIds(target.id)) {
          await registry.uploads.cancel(params.repository, id).catch(() => undefined);
        }
        await registry.meta.deleteRepository(target.id);
      });
    },
  }),
  route({
    method: 'GET',
    path: '/repositories/{repository}/artifacts',
    operationId: 'listArtifacts',
    summary: 'Artifacts of a repository, newest first; `search` matches tags and digests',
    tag: 'repositories',
    params: r.repositoryParams,
    query: pageQuery,
    status: 200,
    response: listOf(artifactInListing),
    anonymous: true,
    async handler({ actor, auth, registry, scans, params, query }) {
      const target = await openRepository(auth, registry, actor, params.repository, 'pull');
      const slice = await registry.meta.listArtifacts(target.id, {
        search: query.search,
        offset: (query.page - 1) * query.pageSize,
        limit: query.pageSize,
      });

      const digests = slice.items.map((a) => a.digest);
      const sizes = await registry.meta.artifactSizes(target.id, digests);
      const tags = await registry.meta.tagsOfManifests(target.id, digests, tagsPerArtifact);
      const scanned = await scans?.overviews(target.id, slice.items);
      const items = [];
      for (const a of slice.items) {
        const platforms = isIndexMediaType(a.mediaType)
          ? await platformsOfIndex(registry, a.digest)
          : [];
        const scan = scanned?.get(a.digest);
        items.push({
          ...r.artifactOut(a, {
            sizeBytes: sizes.get(a.digest) ?? a.size,
            tags: tags.get(a.digest) ?? { names: [], count: 0 },
            platforms,
          }),
          ...(scan && {
            scan: { status: scan.status, summary: scan.summary, advisories: scan.advisories },
          }),
        });
      }

      return { items, total: slice.total, page: query.page, pageSize: query.pageSize };
    },
  }),
  route({
    method: 'GET',
    path: '/repositories/{repository}/artifacts/{reference}',
    operationId: 'getArtifact',
    summary: 'An artifact: manifest, config, layers with their build steps, labels, referrers',
    tag: 'repositories',
    params: r.artifactParams,
    status: 200,
    response: r.artifactDetail,
    anonymous: true,
    async handler({ actor, auth, registry, params }) {
      const target = await openRepository(auth, registry, actor, params.repository, 'pull');
      const digest = await resolveReference(registry, target.id, params);
      const record = digest ? await registry.meta.getArtifact(target.id, digest) : undefined;
      if (!record) throw notFound(`artifact ${params.reference} is not in ${params.repository}`);

      const content = await readArtifact(registry, target.id, record);
      const sizes = await registry.meta.artifactSizes(target.id, [record.digest]);
      const tags = await registry.meta.tagsOfManifests(target.id, [record.digest], tagsInDetail);
      const platforms = content.children.map((c) => c.platform).filter((p) => p !== null);

      return {
        ...r.artifactOut(record, {
          sizeBytes: sizes.get(record.digest) ?? record.size,
          tags: tags.get(record.digest) ?? { names: [], count: 0 },
          platforms,
        }),
        ...content,
        repository: params.repository,
        manifestSizeBytes: record.size,
        referrers: await referrersTree(registry, target.id, record.digest),
      };
    },
  }),
  route({
    method: 'DELETE',
    path: '/repositories/{repository}/artifacts/{digest}',
    operationId: 'deleteArtifact',
    summary: 'Delete an artifact (a manifest, by digest) and every tag on it',
    tag: 'repositories',
    params: r.digestParams,
    status: 204,
    async handler({ actor, auth, registry, params }) {
      if (!isDigest(params.digest)) throw invalid(`"${params.digest.slice(0, 80)}" is no digest`);
      await openRepository(auth, registry, actor, params.repository, 'delete-artifact');

      const where = { ...params, resource: `${params.repository}@${params.digest}` };
      await audited(auth, actor, 'artifact.delete', where, () =>
        registry.manifests.delete(params.repository, params.digest),
      );
    },
  }),
  route({
    method: 'GET',
    path: '/repositories/{repository}/tags',
    operationId: 'listRepositoryTags',
    summary: 'Tags of a repository in byte order, with the digest each points at',
    tag: 'repositories',
    params: r.repositoryParams,
    query: pageQuery,
    status: 200,
    response: listOf(r.tag),
    anonymous: true,
    async handler({ actor, auth, registry, params, query }) {
      const target = await openRepository(auth, registry, actor, params.repository, 'pull');
      const slice = await registry.meta.listTagRecords(target.id, {
        search: query.search,
        offset: (query.page - 1) * query.pageSize,
        limit: query.pageSize,
      });

      return {
        items: slice.items.map(r.tagOut),
        total: slice.total,
        page: query.page,
        pageSize: query.pageSize,
      };
    },
  }),
  route({
    method: 'DELETE',
    path: '/repositories/{repository}/tags/{tag}',
    operationId: 'deleteTag',
    summary: 'Delete a tag; the artifact it named stays',
    tag: 'repositories',
    params: r.tagParams,
    status: 204,
    async handler({ actor, auth, registry, params }) {
      if (!isValidTag(params.tag)) throw invalid(`"${params.tag.slice(0, 80)}" is no valid tag`);
      await openRepository(auth, registry, actor, params.repository, 'delete-tag');

      const where = { ...params, resource: `${params.repository}:${params.tag}` };
      await audited(auth, actor, 'tag.delete', where, () =>
        registry.manifests.delete(params.repository, params.tag),
      );
    },
  }),
  route({
    method: 'GET',
    path: '/repositories/{repository}/size-history',
    operationId: 'getRepositorySizeHistory',
    summary: 'Size of the newest artifacts by push time, for charting image size over time',
    tag: 'repositories',
    params: r.repositoryParams,
    status: 200,
    response: r.sizeHistory,
    anonymous: true,
    async handler({ actor, auth, registry, params }) {
      const target = await openRepository(auth, registry, actor, params.repository, 'pull');
      const records = await registry.meta.recentArtifacts(target.id, sizeHistoryPoints);

      const digests = records.map((a) => a.digest);
      const sizes = await registry.meta.artifactSizes(target.id, digests);
      const tags = await registry.meta.tagsOfManifests(target.id, digests, 3);
      const points = records.map((a) => ({
        digest: a.digest,
        tags: tags.get(a.digest)?.names ?? [],
        sizeBytes: sizes.get(a.digest) ?? a.size,
        pushedAt: r.iso(a.pushedAt),
      }));

      return { points };
    },
  }),
];

function sortOf(sort: (typeof r.repositoryOrders)[number]): {
  order: RepositoryOrder;
  descending: boolean;
} {
  const descending = sort.startsWith('-');

  return { order: (descending ? sort.slice(1) : sort) as RepositoryOrder, descending };
}

/** Runs a delete and records it in the audit log, with its outcome, as the registry does. */
async function audited(
  auth: Auth,
  actor: Actor,
  action: string,
  target: { repository: string; resource: string },
  work: () => Promise<void>,
): Promise<void> {
  const { repository, resource } = target;
  const entry = { action, project: projectOf(repository), resource, remoteAddr: actor.remoteAddr };
  try {
    await work();
  } catch (err) {
    auth.audit.record(actor.principal, { ...entry, result: 'failure' });
    throw err;
  }

  auth.audit.record(actor.principal, entry);
}
