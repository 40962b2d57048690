// A repository with many tags: how fast they are created, and how fast they are listed.
import type { Client } from './http.js';
import { pushImage, putManifest } from './push.js';
import { elapsedMs, median } from './stats.js';

export interface TagListResult {
  tagsPerSecond: number;
  listMs: number;
  listed: number;
}

/**
 * Tags one manifest `count` times (`concurrency` PUTs in flight), then times a full listing
 * with `?n=count`, following `Link: rel="next"` while the server links to more pages. Distribution
 * 2.8.2 ignores `n` and returns every tag in one answer. Median of three listings.
 */
export async function tagListing(
  client: Client,
  count: number,
  concurrency: number,
): Promise<TagListResult> {
  const repo = 'bench/tags';
  const { manifest } = await pushImage(client, repo, 'first', [1024]);
  let next = 0;
  const tagStart = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      const tag = `t${String(next++).padStart(5, '0')}`;
      await putManifest(client, repo, tag, manifest);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const tagsPerSecond = count / (elapsedMs(tagStart) / 1000);

  const timings: number[] = [];
  let listed = 0;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    listed = await listAll(client, repo, count);
    timings.push(elapsedMs(start));
  }
  // The tag "first" is listed too.
  if (listed !== count + 1) throw new Error(`listed ${listed} tags, expected ${count + 1}`);

  return { tagsPerSecond, listMs: median(timings), listed };
}

async function listAll(client: Client, repo: string, count: number): Promise<number> {
  let listed = 0;
  let path: string | undefined = `/v2/${repo}/tags/list?n=${count + 1}`;
  while (path) {
    const res = await client.expect(200, path);
    // distribution v3 links to a next page even when this one ended the list, and answers
    // that page with `"tags": null`: an empty page ends the listing.
    const page = (JSON.parse(res.body.toString('utf8')) as { tags: string[] | null }).tags ?? [];
    listed += page.length;
    const link = /<([^>]+)>;\s*rel="?next"?/.exec(String(res.headers.link ?? ''));
    path = page.length > 0 ? link?.[1] : undefined;
  }

  return listed;
}
