import type { ScanService } from '../analysis/index.js';
import type { Actor, Auth, ProjectAction } from '../auth/index.js';
import type { ManifestRecord } from '../metadata/index.js';
import type { Registry } from '../registry/index.js';
import { SBOM_FORMATS, summarise } from '../analysis/index.js';
import { reportJson } from '../scan/report/index.js';
import { bySeverity, type Finding } from '../scan/match/index.js';
import type { InventoryPackage } from '../scan/model.js';
import type { ScanReport } from '../scan/scan.js';
import { invalid, notFound, openRepository, resolveReference } from './repository-access.js';
import { route, type ApiRoute } from './route.js';
import * as s from './scan-shapes.js';

// Image scanning through the management API: the scan of an artifact (status, counts), its
// findings and packages with filters and pages, its SBOMs and full report, and the queue and
// advisory database of the whole registry. Reading findings needs `pull`, like reading the
// image; packages and SBOMs need `read-sbom`; asking for a scan needs `scan`.

const day = 24 * 3600_000;
const maxHistoryPoints = 500;

export const scanRoutes = (version: string): ApiRoute[] => [
  route({
    method: 'GET',
    path: '/repositories/{repository}/artifacts/{reference}/scan',
    operationId: 'getArtifactScan',
    summary: "An artifact's scan: status, counts per severity, SBOM referrers",
    tag: 'scanning',
    params: s.scanParams,
    status: 200,
    response: s.scanOverview,
    anonymous: true,
    async handler(context) {
      const { scans, target, record } = await openArtifact(context, 'pull');
      return s.overviewOut(await scans.overview(target.id, record));
    },
  }),
  route({
    method: 'POST',
    path: '/repositories/{repository}/artifacts/{reference}/scan',
    operationId: 'scanArtifact',
    summary: 'Queue a scan of an image, or of every image of an index',
    tag: 'scanning',
    params: s.scanParams,
    status: 202,
    response: s.scanOverview,
    async handler(context) {
      const { scans, target, record } = await openArtifact(context, 'scan');
      const queued = await scans.request(target.id, record, 'request');
      if (!queued) {
        throw invalid('the artifact is not an image (a signature, an SBOM, …): nothing to scan');
      }

      const where = `${context.params.repository}@${record.digest}`;
      context.auth.audit.record(context.actor.principal, {
        action: 'scan.request',
        project: target.project,
        resource: where,
        remoteAddr: context.actor.remoteAddr,
      });
      return s.overviewOut(await scans.overview(target.id, record));
    },
  }),
  route({
    method: 'GET',
    path: '/repositories/{repository}/artifacts/{reference}/vulnerabilities',
    operationId: 'listArtifactVulnerabilities',
    summary:
      'Vulnerabilities found in an image, most severe first; `search` matches ids and packages',
    tag: 'scanning',
    params: s.scanParams,
    query: s.vulnerabilityQuery,
    status: 200,
    response: s.vulnerabilityList,
    anonymous: true,
    async handler(context) {
      const report = await openReport(context, 'pull');

      const { query } = context;
      const kept = report.findings.filter(
        (f) =>
          (!query.severity || query.severity.includes(f.severity)) &&
          (!query.status || query.status.includes(f.status)) &&
          (query.fixable === undefined || query.fixable === (f.fixedVersion !== undefined)) &&
          matchesFinding(f, query.search),
      );

      return {
        items: page(kept.sort(bySeverity), query).map(s.vulnerabilityOut),
        total: kept.length,
        page: query.page,
        pageSize: query.pageSize,
        summary: summarise(report.findings),
        os: report.inventory.os?.prettyName ?? report.inventory.os?.id ?? null,
        matched: report.matched,
        problems: problemsOf(report),
      };
    },
  }),
  route({
    method: 'GET',
    path: '/repositories/{repository}/artifacts/{reference}/packages',
    operationId: 'listArtifactPackages',
    summary: "The packages of an image's SBOM; `search` matches names and purls",
    tag: 'scanning',
    params: s.scanParams,
    query: s.packageQuery,
    status: 200,
    response: s.packageList,
    anonymous: true,
    async handler(context) {
      const report = await openReport(context, 'read-sbom');

      const { query } = context;
      const all = report.inventory.packages;
      const kept = all.filter(
        (p) => (!query.type || p.type === query.type) && matchesPackage(p, query.search),
      );
      const types: Record<string, number> = {};
      for (const item of all) types[item.type] = (types[item.type] ?? 0) + 1;

      return {
        items: page(kept, query).map(s.packageOut),
        total: kept.length,
        page: query.page,
        pageSize: query.pageSize,
        types,
      };
    },
  }),
  route({
    method: 'GET',
    path: '/repositories/{repository}/artifacts/{reference}/sbom',
    operationId: 'getArtifactSbom',
    summary: "An image's SBOM: CycloneDX 1.6 JSON or SPDX 2.3 JSON",
    tag: 'scanning',
    params: s.scanParams,
    query: s.sbomQuery,
    status: 200,
    rawResponse: {
      mediaTypes: [SBOM_FORMATS.cyclonedx.mediaType, SBOM_FORMATS.spdx.mediaType],
      description: 'the SBOM document',
    },
    anonymous: true,
    async handler(context) {
      const { scans, target, record } = await openArtifact(context, 'read-sbom');
      const document = await scans.sbom(target.id, record.digest, context.query.format);
      if (!document) throw notFound('the artifact has no finished scan');

      const name = `${record.digest.replace(':', '-')}.${context.query.format}.json`;
      return context.reply
        .code(200)
        .type(SBOM_FORMATS[context.query.format].mediaType)
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(document);
    },
  }),
  route({
    method: 'GET',
    path: '/repositories/{repository}/artifacts/{reference}/scan/report',
    operationId: 'getArtifactScanReport',
    summary: "An image's full scan report, as `berth scan -f json` writes it",
    tag: 'scanning',
    params: s.scanParams,
    status: 200,
    rawResponse: { mediaTypes: ['application/json'], description: "Berth's JSON report" },
    anonymous: true,
    async handler(context) {
      const report = await openReport(context, 'pull');

      return context.reply.code(200).type('application/json').send(reportJson(report, version));
    },
  }),
  route({
    method: 'GET',
    path: '/repositories/{repository}/artifacts/{reference}/scan/history',
    operationId: 'getArtifactScanHistory',
    summary: 'Counts per severity each time the image was matched, oldest first',
    tag: 'scanning',
    params: s.scanParams,
    query: s.historyQuery,
    status: 200,
    response: s.history,
    anonymous: true,
    async handler(context) {
      const { scans, record } = await openArtifact(context, 'pull');
      const since = Date.now() - context.query.days * day;
      const points = await scans.history(record.digest, since, maxHistoryPoints);

      return {
        points: points.map((p) => ({
          at: new Date(p.at).toISOString(),
          summary: { ...summarise([]), ...p.summary },
        })),
      };
    },
  }),
  route({
    method: 'GET',
    path: '/scanning',
    operationId: 'getScanningStatus',
    summary: 'The scan queue and the advisory database: sources, counts, ages',
    tag: 'scanning',
    status: 200,
    response: s.systemStatus,
    async handler({ scans }) {
      const status = await scanning(scans).systemStatus();
      const sources = status.advisories.sources.map((source) => ({
        name: source.name,
        format: source.format,
        importedAt: new Date(source.importedAt).toISOString(),
        ...(source.dataAt !== undefined && { dataAt: new Date(source.dataAt).toISOString() }),
        advisories: source.advisories,
        packages: source.packages,
      }));

      return { ...status, advisories: { ...status.advisories, sources } };
    },
  }),
  route({
    method: 'POST',
    path: '/scanning/rescan',
    operationId: 'rescanAll',
    summary: 'Queue every scanned image again (system administrators)',
    tag: 'scanning',
    status: 202,
    response: s.rescanResult,
    async handler({ actor, auth, scans }) {
      auth.accounts.requireSystem(actor, 'manage-settings');
      const queued = await scanning(scans).rescanAll();
      auth.audit.record(actor.principal, {
        action: 'scan.rescan-all',
        remoteAddr: actor.remoteAddr,
        detail: { queued },
      });

      return { queued };
    },
  }),
];

interface ArtifactContext {
  actor: Actor;
  auth: Auth;
  registry: Registry;
  scans?: ScanService;
  params: { repository: string; reference: string };
}

async function openArtifact(context: ArtifactContext, action: ProjectAction) {
  const scans = scanning(context.scans);
  const { actor, auth, registry, params } = context;
  const target = await openRepository(auth, registry, actor, params.repository, action);
  const digest = await resolveReference(registry, target.id, params);
  const record: ManifestRecord | undefined = digest
    ? await registry.meta.getManifest(target.id, digest)
    : undefined;
  if (!record) throw notFound(`artifact ${params.reference} is not in ${params.repository}`);

  return { scans, target, record };
}

/** What the scan could not read or match, config included. */
function problemsOf(report: ScanReport): { kind: string; detail: string }[] {
  const found = [...report.inventory.problems, ...report.matchProblems];
  const config = report.configProblem
    ? [{ kind: 'config-unreadable', detail: report.configProblem }]
    : [];

  return [...found.map(({ kind, detail }) => ({ kind, detail })), ...config];
}

/** The artifact's last complete scan report, once the caller may do `action`. */
async function openReport(context: ArtifactContext, action: ProjectAction): Promise<ScanReport> {
  const { scans, target, record } = await openArtifact(context, action);
  const report = await scans.report(target.id, record.digest);
  if (!report) throw notFound('the artifact has no finished scan');

  return report;
}

function scanning(scans: ScanService | undefined): ScanService {
  if (!scans) throw notFound('image scanning is turned off on this registry');
  return scans;
}

function page<T>(items: T[], query: { page: number; pageSize: number }): T[] {
  const start = (query.page - 1) * query.pageSize;
  return items.slice(start, start + query.pageSize);
}

function matchesFinding(finding: Finding, search: string | undefined): boolean {
  if (!search) return true;
  const needle = search.toLowerCase();

  return [
    finding.id,
    ...finding.aliases,
    finding.package.name,
    finding.package.sourceName ?? '',
  ].some((text) => text.toLowerCase().includes(needle));
}

function matchesPackage(item: InventoryPackage, search: string | undefined): boolean {
  if (!search) return true;
  const needle = search.toLowerCase();

  return item.name.toLowerCase().includes(needle) || item.purl.toLowerCase().includes(needle);
}
