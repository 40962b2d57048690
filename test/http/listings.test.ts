import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectOciError,
  pushBlob,
  pushImage,
  pushManifest,
  randomBlob,
  uniqueRepo,
  v2,
} from '../support/registry-client.js';
import { startTestServer, useTestServer } from '../support/server.js';

const server = useTestServer();

/** A repository whose one image carries every tag in `tags`, pushed in the given order. */
async function repoWithTags(tags: string[], target = server()): Promise<string> {
  const repo = uniqueRepo('tags');
  const image = await pushImage(target, repo, tags[0]!);
  for (const tag of tags.slice(1)) await pushManifest(target, repo, tag, image.bytes);

  return repo;
}

async function listTags(repo: string, query = '', target = server()) {
  const res = await fetch(v2(target, `${repo}/tags/list${query}`));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { name: string; tags: string[] };

  return { body, tags: body.tags, link: res.headers.get('link') };
}

/** The path and query of a `Link: <…>; rel="next"` header. */
function nextPage(link: string | null): string {
  const match = /^<([^>]+)>;\s*rel="next"$/.exec(link ?? '');
  expect(match, `Link header "${link}"`).not.toBeNull();

  return match![1]!;
}

/** Every tag, collected by following each `Link` verbatim from a first page of `n`. */
async function allTagPages(repo: string, n: number): Promise<string[][]> {
  const pages: string[][] = [];
  let url: string | undefined = v2(server(), `${repo}/tags/list?n=${n}`);
  while (url) {
    const res = await fetch(url);
    pages.push(((await res.json()) as { tags: string[] }).tags);
    const link = res.headers.get('link');
    url = link ? `${server().url}${nextPage(link)}` : undefined;
  }

  return pages;
}

describe('GET /v2/<name>/tags/list', () => {
  // docs/distribution-api.md: byte order, which the conformance suite accepts besides the
  // case-insensitive order of the v1.1 text.
  it('lists every tag in byte order', async () => {
    const repo = await repoWithTags(['latest', 'B2', 'a1', '10', '9', 'b1', 'A0', '_x']);

    const { body } = await listTags(repo);

    expect(body).toEqual({
      name: repo,
      tags: ['10', '9', 'A0', 'B2', '_x', 'a1', 'b1', 'latest'],
    });
  });

  it('limits a page to n tags and links to the next one', async () => {
    const repo = await repoWithTags(['d', 'c', 'b', 'a', 'e']);

    const { tags, link } = await listTags(repo, '?n=2');

    expect(tags).toEqual(['a', 'b']);
    expect(nextPage(link)).toBe(`/v2/${repo}/tags/list?n=2&last=b`);
  });

  it('walks all pages by following Link verbatim, ending without a Link', async () => {
    const repo = await repoWithTags(['t5', 'T4', 't3', 'T2', 't1']);

    const pages = await allTagPages(repo, 2);

    expect(pages).toEqual([['T2', 'T4'], ['t1', 't3'], ['t5']]);
  });

  it('returns the tags after last, even when last itself is not a tag', async () => {
    const repo = await repoWithTags(['a', 'c', 'e', 'g']);

    expect((await listTags(repo, '?last=c')).tags).toEqual(['e', 'g']);
    expect((await listTags(repo, '?last=d')).tags).toEqual(['e', 'g']);
    expect((await listTags(repo, '?n=1&last=d')).tags).toEqual(['e']);
  });

  it('pages exactly across tags that differ only in case', async () => {
    const repo = await repoWithTags(['w', 'v', 'V', 'W']);

    const pages = await allTagPages(repo, 1);

    expect(pages).toEqual([['V'], ['W'], ['v'], ['w']]);
  });

  it('answers n=0 with an empty list and no Link', async () => {
    const repo = await repoWithTags(['a', 'b']);

    const { tags, link } = await listTags(repo, '?n=0');

    expect(tags).toEqual([]);
    expect(link).toBeNull();
  });

  it('sends no Link when n covers every tag', async () => {
    const repo = await repoWithTags(['a', 'b']);

    const { tags, link } = await listTags(repo, '?n=5');

    expect(tags).toEqual(['a', 'b']);
    expect(link).toBeNull();
  });

  it('caps n at listing.maxPageSize and links to the rest', async () => {
    const capped = await startTestServer({ listing: { maxPageSize: 2 } });
    try {
      const repo = await repoWithTags(['a', 'b', 'c'], capped);

      const { tags, link } = await listTags(repo, '?n=100', capped);

      expect(tags).toEqual(['a', 'b']);
      expect(nextPage(link)).toBe(`/v2/${repo}/tags/list?n=100&last=b`);
    } finally {
      await capped.close();
    }
  });

  it('lists an empty array for a repository with blobs but no tags', async () => {
    const repo = uniqueRepo('tags');
    await pushBlob(server(), repo, randomBlob(4));

    expect((await listTags(repo)).body).toEqual({ name: repo, tags: [] });
  });

  it('answers an unknown repository with 404 NAME_UNKNOWN', async () => {
    const res = await fetch(v2(server(), `${uniqueRepo('missing')}/tags/list`));

    await expectOciError(res, 404, 'NAME_UNKNOWN');
  });

  it('caps a huge n at the page limit instead of refusing it', async () => {
    const repo = await repoWithTags(['a', 'b']);

    const res = await fetch(v2(server(), `${repo}/tags/list?n=99999999999999999999`));

    expect(res.status).toBe(200);
    expect(((await res.json()) as { tags: string[] }).tags).toEqual(['a', 'b']);
  });

  it('refuses an n that is not a non-negative integer with a 4xx error body', async () => {
    const repo = await repoWithTags(['a']);

    for (const n of ['-1', 'abc', '1e3']) {
      const res = await fetch(v2(server(), `${repo}/tags/list?n=${n}`));
      await expectOciError(res, 400, 'UNSUPPORTED');
    }
  });
});

describe('GET /v2/_catalog', () => {
  const catalogServer = useTestServer();
  const repos = ['zeta', 'alpha/one', 'alpha', 'mid/b', 'mid/a'];
  beforeAll(async () => {
    for (const repo of repos) await pushBlob(catalogServer(), repo, randomBlob(4));
  });

  async function catalog(query = '') {
    const res = await fetch(`${catalogServer().url}/v2/_catalog${query}`);
    expect(res.status).toBe(200);

    return {
      repositories: ((await res.json()) as { repositories: string[] }).repositories,
      link: res.headers.get('link'),
    };
  }

  it('lists every repository sorted', async () => {
    expect((await catalog()).repositories).toEqual([
      'alpha',
      'alpha/one',
      'mid/a',
      'mid/b',
      'zeta',
    ]);
  });

  it('paginates with n and last and links to the next page', async () => {
    const first = await catalog('?n=2');
    const second = await catalog(nextPage(first.link).replace('/v2/_catalog', ''));
    const third = await catalog(nextPage(second.link).replace('/v2/_catalog', ''));

    expect(first.repositories).toEqual(['alpha', 'alpha/one']);
    expect(nextPage(first.link)).toBe('/v2/_catalog?n=2&last=alpha%2Fone');
    expect(second.repositories).toEqual(['mid/a', 'mid/b']);
    expect(third.repositories).toEqual(['zeta']);
    expect(third.link).toBeNull();
  });

  it('returns the repositories after a last that does not exist', async () => {
    expect((await catalog('?last=b')).repositories).toEqual(['mid/a', 'mid/b', 'zeta']);
  });
});
