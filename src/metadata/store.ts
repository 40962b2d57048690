import {
  Kysely,
  Migrator,
  sql,
  type Expression,
  type ExpressionBuilder,
  type Selectable,
  type SqlBool,
  type Transaction,
} from 'kysely';
import { AccountStore, inProject } from './accounts.js';
import { HotQueries } from './hot-queries.js';
import { ScanStore } from './scans.js';
import { migrationProvider, type Dialect } from './migrations.js';
import type { Database, ManifestTable, ReferenceKind, TagTable } from './schema.js';

export interface ManifestRecord {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  size: number;
  subjectDigest: string | null;
  configDigest: string | null;
  annotations: Record<string, string> | null;
  pushedAt: number;
}

export interface ManifestReference {
  digest: string;
  kind: ReferenceKind;
}

export interface UploadRecord {
  id: string;
  repositoryId: number;
  repository: string;
  createdAt: number;
  updatedAt: number;
}

export interface PullRecord {
  repositoryId: number;
  kind: 'tag' | 'manifest' | 'blob';
  /** Tag name or digest. */
  key: string;
  at: number;
}

/** A repository as the management API lists it. */
export interface RepositorySummary {
  id: number;
  name: string;
  /** Artifacts shown at the top level: neither referrers nor untagged children of an index. */
  artifactCount: number;
  tagCount: number;
  /** Distinct blobs the repository links plus its manifests. */
  sizeBytes: number;
  lastPushedAt: number | null;
}

export type RepositoryOrder = 'name' | 'size' | 'pushed' | 'artifacts';

/** An offset page of a listing, with the total for page counts. */
export interface Slice<T> {
  items: T[];
  total: number;
}

export interface SliceQuery {
  search?: string;
  offset: number;
  limit: number;
}

export interface ArtifactRecord extends ManifestRecord {
  lastPulledAt: number | null;
}

export interface TagRecord {
  name: string;
  digest: string;
  updatedAt: number;
  lastPulledAt: number | null;
}

export interface Page<T> {
  items: T[];
  /** True when more items follow the last one returned. */
  more: boolean;
}

type Db = Kysely<Database> | Transaction<Database>;

const lookupBatchSize = 500;

/**
 * Every query the registry runs against its metadata, written once with Kysely so that the same
 * statements run on SQLite and PostgreSQL. Callers get plain records, never rows.
 */
export class MetadataStore {
  /** Projects, accounts, robots, signing keys and the audit log, on the same database. */
  readonly accounts: AccountStore;
  /** Scan jobs, image analyses and findings. */
  readonly scans: ScanStore;
  private readonly hot: HotQueries;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
  ) {
    this.accounts = new AccountStore(db);
    this.scans = new ScanStore(db);
    this.hot = new HotQueries(db);
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider(this.dialect) });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('repositories').select('id').limit(1).execute();
  }

  // Repositories

  findRepository(name: string): Promise<number | undefined> {
    return this.hot.repositoryId(name);
  }

  async ensureRepository(name: string, now = Date.now()): Promise<number> {
    const existing = await this.findRepository(name);
    if (existing !== undefined) return existing;

    await this.db
      .insertInto('repositories')
      .values({ name, created_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();

    return (await this.findRepository(name)) as number;
  }

  /**
   * Repositories that hold something (a manifest or a blob), in byte order. A repository row is
   * created by the first upload or mount attempt, which may have failed or been cancelled; such
   * empty names stay out of the catalog.
   */
  async listRepositories(
    last: string | undefined,
    limit: number,
    projects?: string[],
  ): Promise<Page<string>> {
    if (projects?.length === 0) return { items: [], more: false };
    let query = this.db
      .selectFrom('repositories')
      .select('name')
      .where((eb) =>
        eb.or([
          eb.exists(
            eb
              .selectFrom('manifests')
              .select('digest')
              .whereRef('manifests.repository_id', '=', 'repositories.id'),
          ),
          eb.exists(
            eb
              .selectFrom('repository_blobs')
              .select('digest')
              .whereRef('repository_blobs.repository_id', '=', 'repositories.id'),
          ),
        ]),
      )
      .orderBy('name')
      .limit(limit + 1);
    if (last !== undefined) query = query.where('name', '>', last);
    if (projects) query = query.where((eb) => eb.or(projects.map((p) => inProject(p))));
    const rows = await query.execute();

    return page(
      rows.map((r) => r.name),
      limit,
    );
  }

  // Blobs

  /** Records content as stored and links it to a repository; both are idempotent. */
  async linkBlob(
    repositoryId: number,
    digest: string,
    size: number,
    now = Date.now(),
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('blobs')
        .values({ digest, size, created_at: now })
        .onConflict((oc) => oc.column('digest').doNothing())
        .execute();
      await trx
        .insertInto('repository_blobs')
        .values({ repository_id: repositoryId, digest, created_at: now, last_pulled_at: null })
        .onConflict((oc) =>
          oc.columns(['repository_id', 'digest']).doUpdateSet({ released_at: null }),
        )
        .execute();
    });
  }

  /** Size of a blob linked to the repository, or undefined. */
  async linkedBlobSize(repositoryId: number, digest: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('repository_blobs')
      .innerJoin('blobs', 'blobs.digest', 'repository_blobs.digest')
      .select('blobs.size')
      .where('repository_blobs.repository_id', '=', repositoryId)
      .where('repository_blobs.digest', '=', digest)
      .executeTakeFirst();

    return row ? Number(row.size) : undefined;
  }

  async unlinkBlob(repositoryId: number, digest: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('repository_blobs')
      .where('repository_id', '=', repositoryId)
      .where('digest', '=', digest)
      .executeTakeFirst();

    return Number(result.numDeletedRows) > 0;
  }

  /** Repositories that link a blob, for a cross-repository mount without `from`. */
  async repositoriesLinking(digest: string, limit = 50): Promise<string[]> {
    const rows = await this.db
      .selectFrom('repository_blobs')
      .innerJoin('repositories', 'repositories.id', 'repository_blobs.repository_id')
      .select('repositories.name')
      .where('repository_blobs.digest', '=', digest)
      .orderBy('repositories.name')
      .limit(limit)
      .execute();

    return rows.map((r) => r.name);
  }

  async blobSize(digest: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('blobs')
      .select('size')
      .where('digest', '=', digest)
      .executeTakeFirst();

    return row ? Number(row.size) : undefined;
  }

  /** The digests among `digests` that are not linked to the repository. */
  async missingBlobs(repositoryId: number, digests: string[]): Promise<string[]> {
    return this.missingIn('repository_blobs', repositoryId, digests);
  }

  // Manifests

  /** The digests among `digests` that are not manifests of the repository. */
  async missingManifests(repositoryId: number, digests: string[]): Promise<string[]> {
    return this.missingIn('manifests', repositoryId, digests);
  }

  /**
   * Looks digests up in batches: a 4 MiB manifest can name 30,000 layers, more than SQLite's
   * limit of bound parameters in one statement.
   */
  private async missingIn(
    table: 'repository_blobs' | 'manifests',
    repositoryId: number,
    digests: string[],
  ): Promise<string[]> {
    const unique = [...new Set(digests)];
    const found = new Set<string>();
    for (let i = 0; i < unique.length; i += lookupBatchSize) {
      const rows = await this.db
        .selectFrom(table)
        .select('digest')
        .where('repository_id', '=', repositoryId)
        .where('digest', 'in', unique.slice(i, i + lookupBatchSize))
        .execute();
      for (const row of rows) found.add(row.digest);
    }

    return unique.filter((d) => !found.has(d));
  }

  /**
   * Stores a manifest, what it references and its tags, in one transaction so that a
   * reader sees either none of it or all of it. Re-pushing an existing manifest keeps its
   * first push time and moves the tags.
   */
  async putManifest(
    repositoryId: number,
    manifest: ManifestRecord,
    references: ManifestReference[],
    tags: string[],
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('manifests')
        .values({
          repository_id: repositoryId,
          digest: manifest.digest,
          media_type: manifest.mediaType,
          artifact_type: manifest.artifactType,
          size: manifest.size,
          subject_digest: manifest.subjectDigest,
          config_digest: manifest.configDigest,
          annotations: manifest.annotations ? JSON.stringify(manifest.annotations) : null,
          pushed_at: manifest.pushedAt,
          last_pulled_at: null,
        })
        .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
        .execute();

      await insertReferences(trx, repositoryId, manifest.digest, references);
      for (const tag of tags) {
        await upsertTag(trx, repositoryId, tag, manifest.digest, manifest.pushedAt);
      }
    });
  }

  async getManifest(repositoryId: number, digest: string): Promise<ManifestRecord | undefined> {
    const row = await this.hot.manifest(repositoryId, digest);
    return row && toManifestRecord(row);
  }

  /** The manifest a tag points at, in one query (the manifest GET by tag is the hottest path). */
  async getTaggedManifest(repositoryId: number, tag: string): Promise<ManifestRecord | undefined> {
    const row = await this.hot.taggedManifest(repositoryId, tag);
    return row && toManifestRecord(row);
  }

  /** Deletes a manifest with its tags and references; returns false when it was not there. */
  async deleteManifest(repositoryId: number, digest: string, now = Date.now()): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('tags')
        .where('repository_id', '=', repositoryId)
        .where('manifest_digest', '=', digest)
        .execute();
      const children = await trx
        .deleteFrom('manifest_references')
        .where('repository_id', '=', repositoryId)
        .where('manifest_digest', '=', digest)
        .returning('child_digest')
        .execute();
      const result = await trx
        .deleteFrom('manifests')
        .where('repository_id', '=', repositoryId)
        .where('digest', '=', digest)
        .executeTakeFirst();

      await releaseBlobs(
        trx,
        repositoryId,
        children.map((c) => c.child_digest),
        now,
      );
      return Number(result.numDeletedRows) > 0;
    });
  }

  async listReferences(repositoryId: number, digest: string): Promise<ManifestReference[]> {
    const rows = await this.db
      .selectFrom('manifest_references')
      .select(['child_digest', 'kind'])
      .where('repository_id', '=', repositoryId)
      .where('manifest_digest', '=', digest)
      .execute();

    return rows.map((r) => ({ digest: r.child_digest, kind: r.kind }));
  }

  /** Manifests in the repository whose `subject` is `digest`, oldest first. */
  async listReferrers(
    repositoryId: number,
    subject: string,
    artifactType?: string,
  ): Promise<ManifestRecord[]> {
    let query = this.db
      .selectFrom('manifests')
      .selectAll()
      .where('repository_id', '=', repositoryId)
      .where('subject_digest', '=', subject)
      .orderBy('pushed_at')
      .orderBy('digest');
    if (artifactType !== undefined) query = query.where('artifact_type', '=', artifactType);
    const rows = await query.execute();

    return rows.map(toManifestRecord);
  }

  // Tags

  async resolveTag(repositoryId: number, tag: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('tags')
      .select('manifest_digest')
      .where('repository_id', '=', repositoryId)
      .where('name', '=', tag)
      .executeTakeFirst();

    return row?.manifest_digest;
  }

  async deleteTag(repositoryId: number, tag: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('tags')
      .where('repository_id', '=', repositoryId)
      .where('name', '=', tag)
      .executeTakeFirst();

    return Number(result.numDeletedRows) > 0;
  }

  async listTags(
    repositoryId: number,
    last: string | undefined,
    limit: number,
  ): Promise<Page<string>> {
    let query = this.db
      .selectFrom('tags')
      .select('name')
      .where('repository_id', '=', repositoryId)
      .orderBy('name')
      .limit(limit + 1);
    if (last !== undefined) query = query.where('name', '>', last);
    const rows = await query.execute();

    return page(
      rows.map((r) => r.name),
      limit,
    );
  }

  // Browsing: the management API's views of repositories, artifacts and tags

  /**
   * A project's repositories with their counts and sizes, sorted and sliced in the database.
   * Each aggregate is a subquery on a (repository_id, …) key, so a page costs what its
   * repositories hold, whatever the size of the rest of the registry.
   */
  async summarizeRepositories(
    project: string,
    query: SliceQuery & { order: RepositoryOrder; descending: boolean },
  ): Promise<Slice<RepositorySummary>> {
    const filter = (eb: ExpressionBuilder<Database, 'repositories'>) => {
      const conditions = [inProject(project), holdsContent(eb)];
      if (query.search) conditions.push(contains('repositories.name', query.search));
      return eb.and(conditions);
    };

    const total = await this.db
      .selectFrom('repositories')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(filter)
      .executeTakeFirst();
    const rows = await summaries(this.db)
      .where(filter)
      .orderBy(sql.ref(repositoryOrder[query.order]), query.descending ? 'desc' : 'asc')
      .orderBy('repositories.name')
      .offset(query.offset)
      .limit(query.limit)
      .execute();

    return { items: rows.map(toSummary), total: Number(total?.n ?? 0) };
  }

  async summarizeRepository(name: string): Promise<RepositorySummary | undefined> {
    const row = await summaries(this.db)
      .where('repositories.name', '=', name)
      .where(holdsContent)
      .executeTakeFirst();

    return row ? toSummary(row) : undefined;
  }

  /** Top-level artifacts of a repository, newest push first; `search` matches tags and digests. */
  async listArtifacts(repositoryId: number, query: SliceQuery): Promise<Slice<ArtifactRecord>> {
    const filter = (eb: ExpressionBuilder<Database, 'manifests'>) => {
      const conditions: Expression<SqlBool>[] = [
        eb('manifests.repository_id', '=', repositoryId),
        isTopLevel(eb),
      ];
      if (query.search) conditions.push(matchesTagOrDigest(eb, query.search));
      return eb.and(conditions);
    };

    const total = await this.db
      .selectFrom('manifests')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(filter)
      .executeTakeFirst();
    const rows = await this.db
      .selectFrom('manifests')
      .selectAll()
      .where(filter)
      .orderBy('pushed_at', 'desc')
      .orderBy('digest')
      .offset(query.offset)
      .limit(query.limit)
      .execute();

    return { items: rows.map(toArtifactRecord), total: Number(total?.n ?? 0) };
  }

  async getArtifact(repositoryId: number, digest: string): Promise<ArtifactRecord | undefined> {
    const row = await this.db
      .selectFrom('manifests')
      .selectAll()
      .where('repository_id', '=', repositoryId)
      .where('digest', '=', digest)
      .executeTakeFirst();

    return row ? toArtifactRecord(row) : undefined;
  }

  /** Tags of a repository in byte order, with what each points at. */
  async listTagRecords(repositoryId: number, query: SliceQuery): Promise<Slice<TagRecord>> {
    const filter = (eb: ExpressionBuilder<Database, 'tags'>) => {
      const conditions: Expression<SqlBool>[] = [eb('tags.repository_id', '=', repositoryId)];
      if (query.search) conditions.push(contains('tags.name', query.search));
      return eb.and(conditions);
    };

    const total = await this.db
      .selectFrom('tags')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(filter)
      .executeTakeFirst();
    const rows = await this.db
      .selectFrom('tags')
      .selectAll()
      .where(filter)
      .orderBy('name')
      .offset(query.offset)
      .limit(query.limit)
      .execute();

    return { items: rows.map(toTagRecord), total: Number(total?.n ?? 0) };
  }

  /**
   * The first `limit` tags (byte order) and the tag count of each manifest among `digests`.
   * A manifest may carry thousands of tags: the window keeps each one's share small.
   */
  async tagsOfManifests(
    repositoryId: number,
    digests: string[],
    limit: number,
  ): Promise<Map<string, { names: string[]; count: number }>> {
    const result = new Map(digests.map((d) => [d, { names: [] as string[], count: 0 }]));
    if (digests.length === 0) return result;

    const rows = await sql<{ manifest_digest: string; name: string; n: number }>`
      SELECT manifest_digest, name, n FROM (
        SELECT manifest_digest, name,
          ROW_NUMBER() OVER (PARTITION BY manifest_digest ORDER BY name) AS position,
          COUNT(*) OVER (PARTITION BY manifest_digest) AS n
        FROM tags
        WHERE repository_id = ${repositoryId} AND manifest_digest IN (${sql.join(digests)})
      ) AS ranked
      WHERE position <= ${limit}
      ORDER BY manifest_digest, name`.execute(this.db);
    for (const row of rows.rows) {
      const entry = result.get(row.manifest_digest);
      if (!entry) continue;
      entry.names.push(row.name);
      entry.count = Number(row.n);
    }

    return result;
  }

  /**
   * What pulling each manifest among `digests` transfers: the manifest, its config and layers,
   * and for an index each child with its own blobs. A blob shared by two children counts twice,
   * as a client pulling every platform would fetch it once per platform only from its cache.
   */
  async artifactSizes(repositoryId: number, digests: string[]): Promise<Map<string, number>> {
    if (digests.length === 0) return new Map();

    const children = await this.db
      .selectFrom('manifest_references')
      .select(['manifest_digest', 'child_digest'])
      .where('repository_id', '=', repositoryId)
      .where('kind', '=', 'manifest')
      .where('manifest_digest', 'in', digests)
      .execute();
    const own = await this.ownSizes(repositoryId, [
      ...digests,
      ...children.map((c) => c.child_digest),
    ]);

    const sizes = new Map(digests.map((d) => [d, own.get(d) ?? 0]));
    for (const child of children) {
      const parent = sizes.get(child.manifest_digest) ?? 0;
      sizes.set(child.manifest_digest, parent + (own.get(child.child_digest) ?? 0));
    }
    return sizes;
  }

  /** A manifest's own size plus its config and layers, by digest. */
  private async ownSizes(repositoryId: number, digests: string[]): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    const unique = [...new Set(digests)];
    for (let i = 0; i < unique.length; i += lookupBatchSize) {
      const batch = unique.slice(i, i + lookupBatchSize);
      const rows = await this.db
        .selectFrom('manifests')
        .select((eb) => [
          'manifests.digest',
          'manifests.size',
          eb
            .selectFrom('manifest_references')
            .innerJoin('blobs', 'blobs.digest', 'manifest_references.child_digest')
            .select((inner) => inner.fn.coalesce(inner.fn.sum('blobs.size'), sql`0`).as('b'))
            .whereRef('manifest_references.repository_id', '=', 'manifests.repository_id')
            .whereRef('manifest_references.manifest_digest', '=', 'manifests.digest')
            .where('manifest_references.kind', 'in', ['config', 'layer'])
            .as('blob_bytes'),
        ])
        .where('manifests.repository_id', '=', repositoryId)
        .where('manifests.digest', 'in', batch)
        .execute();
      for (const row of rows) sizes.set(row.digest, Number(row.size) + Number(row.blob_bytes ?? 0));
    }

    return sizes;
  }

  /** Sizes of blobs the store holds, by digest; unknown digests are left out. */
  async blobSizes(digests: string[]): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    const unique = [...new Set(digests)];
    for (let i = 0; i < unique.length; i += lookupBatchSize) {
      const rows = await this.db
        .selectFrom('blobs')
        .select(['digest', 'size'])
        .where('digest', 'in', unique.slice(i, i + lookupBatchSize))
        .execute();
      for (const row of rows) sizes.set(row.digest, Number(row.size));
    }

    return sizes;
  }

  /** The newest `limit` top-level artifacts with their push times, oldest first. */
  async recentArtifacts(repositoryId: number, limit: number): Promise<ManifestRecord[]> {
    const rows = await this.db
      .selectFrom('manifests')
      .selectAll()
      .where('repository_id', '=', repositoryId)
      .where(isTopLevel)
      .orderBy('pushed_at', 'desc')
      .limit(limit)
      .execute();

    return rows.map(toManifestRecord).reverse();
  }

  /** Upload sessions open in a repository, so they can be cancelled before it goes. */
  async listUploadIds(repositoryId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('uploads')
      .select('id')
      .where('repository_id', '=', repositoryId)
      .execute();

    return rows.map((r) => r.id);
  }

  /**
   * Deletes a repository with its manifests, tags, references and blob links in one
   * transaction. Blob content stays in the blob store, as after any delete.
   */
  async deleteRepository(repositoryId: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Children first: tags and references point at manifests, which point at the repository.
      for (const table of [
        'tags',
        'manifest_references',
        'manifests',
        'repository_blobs',
        'uploads',
      ] as const) {
        await trx.deleteFrom(table).where('repository_id', '=', repositoryId).execute();
      }
      const result = await trx
        .deleteFrom('repositories')
        .where('id', '=', repositoryId)
        .executeTakeFirst();

      return Number(result.numDeletedRows) > 0;
    });
  }

  // Upload sessions

  async createUpload(id: string, repositoryId: number, now = Date.now()): Promise<void> {
    await this.db
      .insertInto('uploads')
      .values({ id, repository_id: repositoryId, created_at: now, updated_at: now })
      .execute();
  }

  async getUpload(id: string): Promise<UploadRecord | undefined> {
    const row = await this.db
      .selectFrom('uploads')
      .innerJoin('repositories', 'repositories.id', 'uploads.repository_id')
      .select([
        'uploads.id',
        'uploads.repository_id',
        'repositories.name',
        'uploads.created_at',
        'uploads.updated_at',
      ])
      .where('uploads.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;

    return {
      id: row.id,
      repositoryId: Number(row.repository_id),
      repository: row.name,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }

  async touchUpload(id: string, now = Date.now()): Promise<void> {
    await this.db.updateTable('uploads').set({ updated_at: now }).where('id', '=', id).execute();
  }

  async deleteUpload(id: string): Promise<void> {
    await this.db.deleteFrom('uploads').where('id', '=', id).execute();
  }

  async listStaleUploads(before: number, limit = 1000): Promise<string[]> {
    const rows = await this.db
      .selectFrom('uploads')
      .select('id')
      .where('updated_at', '<', before)
      .limit(limit)
      .execute();

    return rows.map((r) => r.id);
  }

  async uploadExists(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('uploads')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();

    return row !== undefined;
  }

  async countUploads(): Promise<number> {
    const row = await this.db
      .selectFrom('uploads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();

    return Number(row.n);
  }

  // Pull times

  /** Applies a batch of pull observations; later times win. */
  async recordPulls(pulls: PullRecord[]): Promise<void> {
    if (pulls.length === 0) return;

    await this.db.transaction().execute(async (trx) => {
      for (const pull of pulls) await recordPull(trx, pull);
    });
  }
}

/** Marks blobs that no manifest of the repository references any more as released. */
async function releaseBlobs(
  db: Db,
  repositoryId: number,
  digests: string[],
  now: number,
): Promise<void> {
  for (let i = 0; i < digests.length; i += 200) {
    await db
      .updateTable('repository_blobs')
      .set({ released_at: now })
      .where('repository_id', '=', repositoryId)
      .where('digest', 'in', digests.slice(i, i + 200))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('manifest_references as mr')
              .select('mr.child_digest')
              .where('mr.repository_id', '=', repositoryId)
              .whereRef('mr.child_digest', '=', 'repository_blobs.digest'),
          ),
        ),
      )
      .execute();
  }
}

async function insertReferences(
  db: Db,
  repositoryId: number,
  manifestDigest: string,
  references: ManifestReference[],
): Promise<void> {
  const unique = new Map(references.map((r) => [`${r.kind} ${r.digest}`, r]));
  const rows = [...unique.values()].map((r) => ({
    repository_id: repositoryId,
    manifest_digest: manifestDigest,
    child_digest: r.digest,
    kind: r.kind,
  }));

  // Chunked to stay under SQLite's bound-parameter limit on images with many layers.
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('manifest_references')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) =>
        oc.columns(['repository_id', 'manifest_digest', 'child_digest', 'kind']).doNothing(),
      )
      .execute();
  }

  // A blob released by an earlier delete counts again once a manifest references it.
  const digests = [...new Set(rows.map((r) => r.child_digest))];
  for (let i = 0; i < digests.length; i += 200) {
    await db
      .updateTable('repository_blobs')
      .set({ released_at: null })
      .where('repository_id', '=', repositoryId)
      .where('digest', 'in', digests.slice(i, i + 200))
      .where('released_at', 'is not', null)
      .execute();
  }
}

async function upsertTag(
  db: Db,
  repositoryId: number,
  tag: string,
  digest: string,
  now: number,
): Promise<void> {
  await db
    .insertInto('tags')
    .values({
      repository_id: repositoryId,
      name: tag,
      manifest_digest: digest,
      updated_at: now,
      last_pulled_at: null,
    })
    .onConflict((oc) =>
      oc
        .columns(['repository_id', 'name'])
        .doUpdateSet({ manifest_digest: digest, updated_at: now }),
    )
    .execute();
}

function toManifestRecord(row: Selectable<ManifestTable>): ManifestRecord {
  return {
    digest: row.digest,
    mediaType: row.media_type,
    artifactType: row.artifact_type,
    size: Number(row.size),
    subjectDigest: row.subject_digest,
    configDigest: row.config_digest,
    annotations: row.annotations ? (JSON.parse(row.annotations) as Record<string, string>) : null,
    pushedAt: Number(row.pushed_at),
  };
}

/** Sort keys of repository summaries and the columns that hold them. */
const repositoryOrder: Record<RepositoryOrder, string> = {
  name: 'repositories.name',
  size: 'size_bytes',
  pushed: 'last_pushed_at',
  artifacts: 'artifact_count',
};

function summaries(db: Kysely<Database>) {
  return db.selectFrom('repositories').select((eb) => [
    'repositories.id',
    'repositories.name',
    eb
      .selectFrom('manifests')
      .select((m) => m.fn.countAll<number>().as('n'))
      .whereRef('manifests.repository_id', '=', 'repositories.id')
      .where(isTopLevel)
      .as('artifact_count'),
    eb
      .selectFrom('tags')
      .select((t) => t.fn.countAll<number>().as('n'))
      .whereRef('tags.repository_id', '=', 'repositories.id')
      .as('tag_count'),
    eb
      .selectFrom('manifests')
      .select((m) => m.fn.max('manifests.pushed_at').as('t'))
      .whereRef('manifests.repository_id', '=', 'repositories.id')
      .as('last_pushed_at'),
    sql<number>`(
        COALESCE((SELECT SUM(b.size) FROM repository_blobs rb JOIN blobs b ON b.digest = rb.digest
          WHERE rb.repository_id = repositories.id), 0)
        + COALESCE((SELECT SUM(m.size) FROM manifests m
          WHERE m.repository_id = repositories.id), 0))`.as('size_bytes'),
  ]);
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaries>['executeTakeFirstOrThrow']>>;

function toSummary(row: SummaryRow): RepositorySummary {
  return {
    id: Number(row.id),
    name: row.name,
    artifactCount: Number(row.artifact_count ?? 0),
    tagCount: Number(row.tag_count ?? 0),
    sizeBytes: Number(row.size_bytes ?? 0),
    lastPushedAt: row.last_pushed_at === null ? null : Number(row.last_pushed_at),
  };
}

/** A repository row that an upload created but nothing was ever stored in stays hidden. */
function holdsContent(eb: ExpressionBuilder<Database, 'repositories'>): Expression<SqlBool> {
  return eb.or([
    eb.exists(
      eb
        .selectFrom('manifests')
        .select('digest')
        .whereRef('manifests.repository_id', '=', 'repositories.id'),
    ),
    eb.exists(
      eb
        .selectFrom('repository_blobs')
        .select('digest')
        .whereRef('repository_blobs.repository_id', '=', 'repositories.id'),
    ),
  ]);
}

/**
 * Whether a manifest is an artifact of its own rather than part of another: referrers
 * (signatures, SBOMs) belong under their subject, and an index's children under the index,
 * unless they are tagged themselves. A referrer whose subject is gone is shown, so that it can
 * still be found and deleted.
 */
function isTopLevel(eb: ExpressionBuilder<Database, 'manifests'>): Expression<SqlBool> {
  const tagged = eb.exists(
    eb
      .selectFrom('tags')
      .select('tags.name')
      .whereRef('tags.repository_id', '=', 'manifests.repository_id')
      .whereRef('tags.manifest_digest', '=', 'manifests.digest'),
  );
  const child = eb.exists(
    eb
      .selectFrom('manifest_references as parent')
      .select('parent.manifest_digest')
      .whereRef('parent.repository_id', '=', 'manifests.repository_id')
      .whereRef('parent.child_digest', '=', 'manifests.digest')
      .where('parent.kind', '=', 'manifest'),
  );
  const subjectPresent = eb.exists(
    eb
      .selectFrom('manifests as subject')
      .select('subject.digest')
      .whereRef('subject.repository_id', '=', 'manifests.repository_id')
      .whereRef('subject.digest', '=', 'manifests.subject_digest'),
  );

  return eb.and([
    eb.or([eb('manifests.subject_digest', 'is', null), eb.not(subjectPresent)]),
    eb.or([eb.not(child), tagged]),
  ]);
}

function matchesTagOrDigest(
  eb: ExpressionBuilder<Database, 'manifests'>,
  search: string,
): Expression<SqlBool> {
  const taggedLike = eb.exists(
    eb
      .selectFrom('tags')
      .select('tags.name')
      .whereRef('tags.repository_id', '=', 'manifests.repository_id')
      .whereRef('tags.manifest_digest', '=', 'manifests.digest')
      .where(contains('tags.name', search)),
  );

  return eb.or([contains('manifests.digest', search), taggedLike]);
}

/** Substring match with `%`, `_` and `\` taken literally. */
function contains(column: string, search: string): Expression<SqlBool> {
  const escaped = search.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`${sql.ref(column)} LIKE ${`%${escaped}%`} ESCAPE '\\'`;
}

function toArtifactRecord(row: Selectable<ManifestTable>): ArtifactRecord {
  return {
    ...toManifestRecord(row),
    lastPulledAt: row.last_pulled_at === null ? null : Number(row.last_pulled_at),
  };
}

function toTagRecord(row: Selectable<TagTable>): TagRecord {
  return {
    name: row.name,
    digest: row.manifest_digest,
    updatedAt: Number(row.updated_at),
    lastPulledAt: row.last_pulled_at === null ? null : Number(row.last_pulled_at),
  };
}

/** Where each kind of pull is recorded, and the column that names what was pulled. */
const pullTargets = {
  tag: { table: 'tags', key: 'name' },
  manifest: { table: 'manifests', key: 'digest' },
  blob: { table: 'repository_blobs', key: 'digest' },
} as const;

async function recordPull(db: Db, pull: PullRecord): Promise<void> {
  const { table, key } = pullTargets[pull.kind];

  // Observations can arrive out of order (several nodes, one batch): a later time always wins.
  await db
    .updateTable(table)
    .set({ last_pulled_at: pull.at })
    .where('repository_id', '=', pull.repositoryId)
    .where(key, '=', pull.key)
    .where((eb) => eb.or([eb('last_pulled_at', 'is', null), eb('last_pulled_at', '<', pull.at)]))
    .execute();
}

function page<T>(rows: T[], limit: number): Page<T> {
  return { items: rows.slice(0, limit), more: rows.length > limit };
}
