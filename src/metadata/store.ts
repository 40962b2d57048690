import { Kysely, Migrator, type Selectable, type Transaction } from 'kysely';
import { AccountStore, inProject } from './accounts.js';
import { migrationProvider, type Dialect } from './migrations.js';
import type { Database, ManifestTable, ReferenceKind } from './schema.js';

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

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
  ) {
    this.accounts = new AccountStore(db);
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

  async findRepository(name: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('repositories')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();

    return row ? Number(row.id) : undefined;
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
        .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
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
    const row = await this.db
      .selectFrom('manifests')
      .selectAll()
      .where('repository_id', '=', repositoryId)
      .where('digest', '=', digest)
      .executeTakeFirst();
    if (!row) return undefined;

    return toManifestRecord(row);
  }

  /** Deletes a manifest with its tags and references; returns false when it was not there. */
  async deleteManifest(repositoryId: number, digest: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('tags')
        .where('repository_id', '=', repositoryId)
        .where('manifest_digest', '=', digest)
        .execute();
      await trx
        .deleteFrom('manifest_references')
        .where('repository_id', '=', repositoryId)
        .where('manifest_digest', '=', digest)
        .execute();
      const result = await trx
        .deleteFrom('manifests')
        .where('repository_id', '=', repositoryId)
        .where('digest', '=', digest)
        .executeTakeFirst();

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
