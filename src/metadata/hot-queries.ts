import { CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type { Database, ManifestTable } from './schema.js';

/**
 * The queries every pull runs, compiled once. Building and compiling a Kysely query costs more
 * CPU than SQLite takes to answer these indexed lookups (bench/results/profiles), so their SQL
 * is taken from the query builder at start-up and only the parameters change per call. The
 * placeholders' order is the order of the `where` calls below.
 */
export class HotQueries {
  private readonly repositoryIdSql: string;
  private readonly manifestSql: string;
  private readonly taggedManifestSql: string;

  constructor(private readonly db: Kysely<Database>) {
    this.repositoryIdSql = db
      .selectFrom('repositories')
      .select('id')
      .where('name', '=', '')
      .compile().sql;

    this.manifestSql = db
      .selectFrom('manifests')
      .selectAll()
      .where('repository_id', '=', 0)
      .where('digest', '=', '')
      .compile().sql;

    this.taggedManifestSql = db
      .selectFrom('tags')
      .innerJoin('manifests', (join) =>
        join
          .onRef('manifests.repository_id', '=', 'tags.repository_id')
          .onRef('manifests.digest', '=', 'tags.manifest_digest'),
      )
      .selectAll('manifests')
      .where('tags.repository_id', '=', 0)
      .where('tags.name', '=', '')
      .compile().sql;
  }

  async repositoryId(name: string): Promise<number | undefined> {
    const [row] = await this.rows<{ id: number }>(this.repositoryIdSql, [name]);
    return row ? Number(row.id) : undefined;
  }

  async manifest(
    repositoryId: number,
    digest: string,
  ): Promise<Selectable<ManifestTable> | undefined> {
    const [row] = await this.rows<Selectable<ManifestTable>>(this.manifestSql, [
      repositoryId,
      digest,
    ]);
    return row;
  }

  async taggedManifest(
    repositoryId: number,
    tag: string,
  ): Promise<Selectable<ManifestTable> | undefined> {
    const [row] = await this.rows<Selectable<ManifestTable>>(this.taggedManifestSql, [
      repositoryId,
      tag,
    ]);
    return row;
  }

  private async rows<T>(sqlText: string, parameters: unknown[]): Promise<T[]> {
    return (await this.db.executeQuery<T>(CompiledQuery.raw(sqlText, parameters))).rows;
  }
}
