import type { MetadataStore } from '../metadata/index.js';
import { parseDigest } from '../oci/digest.js';
import { RegistryError } from '../oci/errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { MediaType } from '../oci/mediatypes.js';

export interface ListPage {
  items: string[];
  /** The `last` to ask for the next page with, when there is one. */
  next?: string;
}

export interface ReferrersIndex {
  schemaVersion: 2;
  mediaType: typeof MediaType.ociIndex;
  manifests: Descriptor[];
}

export interface ListingOptions {
  /** Largest page a client may ask for; larger `n` gets this many and a Link to the rest. */
  maxPageSize: number;
}

/** Tag lists, the catalog and the referrers API. */
export class ListingService {
  constructor(
    private readonly meta: MetadataStore,
    private readonly options: ListingOptions,
  ) {}

  async tags(
    repository: string,
    n: number | undefined,
    last: string | undefined,
  ): Promise<ListPage> {
    const repositoryId = await this.meta.findRepository(repository);
    if (repositoryId === undefined) {
      throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, {
        detail: { name: repository },
      });
    }

    return this.paginate(n, (limit) => this.meta.listTags(repositoryId, last, limit));
  }

  /** Repositories in byte order; limited to the repositories of `projects` when given. */
  async catalog(
    n: number | undefined,
    last: string | undefined,
    projects?: string[],
  ): Promise<ListPage> {
    return this.paginate(n, (limit) => this.meta.listRepositories(last, limit, projects));
  }

  /**
   * The referrers of `digest` as an image index (v1.1 "Listing Referrers"). A digest nothing
   * refers to, or a repository that does not exist, gives an empty index, never a 404.
   */
  async referrers(
    repository: string,
    digest: string,
    artifactType?: string,
  ): Promise<ReferrersIndex> {
    const subject = parseDigest(digest).digest;
    const repositoryId = await this.meta.findRepository(repository);
    const records =
      repositoryId === undefined
        ? []
        : await this.meta.listReferrers(repositoryId, subject, artifactType);

    return {
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: records.map((r) => ({
        mediaType: r.mediaType,
        digest: r.digest,
        size: r.size,
        ...(r.artifactType ? { artifactType: r.artifactType } : {}),
        ...(r.annotations ? { annotations: r.annotations } : {}),
      })),
    };
  }

  private async paginate(
    n: number | undefined,
    fetch: (limit: number) => Promise<{ items: string[]; more: boolean }>,
  ): Promise<ListPage> {
    if (n === 0) return { items: [] };

    const limit = Math.min(n ?? this.options.maxPageSize, this.options.maxPageSize);
    const page = await fetch(limit);
    const next = page.more ? page.items[page.items.length - 1] : undefined;

    return next === undefined ? { items: page.items } : { items: page.items, next };
  }
}
