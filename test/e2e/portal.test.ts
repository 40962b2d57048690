// The web portal in Debian's Chromium, driven by playwright-core: sign in with the keyboard,
// create a project, push an image with skopeo, see it with the right size and layers, delete a
// tag, browse a repository with 10,000 tags, visit every page, sign out. axe-core checks each
// page for serious or critical accessibility violations, in light and dark. Screenshots go to
// build/screenshots/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminCredentials } from '../support/accounts.js';
import { ApiClient } from '../support/api-client.js';
import { checkPage, usePortalBrowser } from '../support/browser.js';
import { useTestServer } from '../support/server.js';
import { run, testImages } from '../support/tools.js';

const server = useTestServer({ auth: { enabled: true } });
const chromium = usePortalBrowser();
const project = 'portal-e2e';

let page: Page;

beforeAll(() => {
  page = chromium().page;
});

const url = (pathname: string) => `${server().url}${pathname}`;

describe('serving the portal', () => {
  it('answers portal routes with the page and leaves the server paths alone', async () => {
    const page = await fetch(url('/projects/anything/members'));
    const asset = await fetch(url('/assets/missing-file.js'));
    const api = await fetch(url('/api/v1/no-such-endpoint'));
    const registry = await fetch(url('/v2/'));
    const health = await fetch(url('/healthz'));
    const auth = await fetch(url('/auth/nothing-here'));

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(asset.status).toBe(404);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
    expect(registry.status).toBe(401);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(auth.headers.get('content-type')).toContain('application/json');
  });

  it('serves built assets as immutable and revalidates the page', async () => {
    const html = await (await fetch(url('/'))).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const asset = await fetch(url(script!));
    const again = await fetch(url(script!), {
      headers: { 'if-none-match': asset.headers.get('etag')! },
    });

    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(again.status).toBe(304);
  });
});

describe('the portal in a browser', () => {
  const image = () => testImages()['debian-app']!;

  it('signs in with the keyboard alone', async () => {
    await page.goto(url('/'));
    await page.waitForURL(/\/login/);
    await checkPage(page, '01-login');

    await page.keyboard.press('Tab');
    await page.keyboard.type(adminCredentials.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(adminCredentials.password);
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/projects');
    const stored = await page.evaluate('sessionStorage.getItem("berth.session")');
    expect(JSON.parse(String(stored))).toMatchObject({ username: 'admin' });
    await checkPage(page, '01-projects');
  });

  it('offers a skip link as the first stop of the keyboard', async () => {
    await page.keyboard.press('Tab');

    const focused = await page.evaluate('document.activeElement?.textContent');
    expect(focused).toBe('Skip to content');
  });

  it('creates a project', async () => {
    await page.getByRole('button', { name: 'New project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByLabel('Name').fill(project);
    await dialog.getByRole('button', { name: 'Add label' }).click();
    await dialog.getByLabel('Label 1 key').fill('team');
    await dialog.getByLabel('Label 1 value').fill('portal');
    await dialog.getByRole('button', { name: 'Create' }).click();

    await page.waitForURL(url(`/projects/${project}`));
    await page.getByText('team=portal').waitFor();
    await page.getByText('Nothing has been pushed here yet.').waitFor();
    await checkPage(page, '02-new-project');
  });

  it('shows an image pushed with skopeo, with its size', async () => {
    for (const tag of ['v1', 'v2']) {
      await run('skopeo', [
        'copy',
        '--quiet',
        '--dest-tls-verify=false',
        '--dest-creds',
        `${adminCredentials.username}:${adminCredentials.password}`,
        image().reference,
        `docker://${server().host}/${project}/app:${tag}`,
      ]);
    }

    await page.reload();
    const row = page.getByRole('row', { name: new RegExp(`${project}/app`) });
    await row.waitFor();
    const size = await row.locator('[data-bytes]').getAttribute('data-bytes');
    // One manifest under two tags: its config and layers, and the manifest itself.
    expect(Number(size)).toBe(layoutSizes().total);
    await checkPage(page, '03-repositories');
  });

  it('lists the artifact with both tags, its size and a pull command', async () => {
    await page.getByRole('link', { name: `${project}/app` }).click();
    await page.waitForURL(url(`/repositories/${project}/app`));

    const row = page.getByRole('row', { name: /v1/ });
    await row.getByText('v2').waitFor();
    const shown = await row.locator('[data-bytes]').getAttribute('data-bytes');
    expect(Number(shown)).toBe(layoutSizes().total);
    expect(await row.getByRole('button', { name: /Copy the pull command/ }).count()).toBe(1);
    await checkPage(page, '04-artifacts');
  });

  it('shows the layers with their sizes and the commands that made them', async () => {
    await page.getByRole('link', { name: shortDigest(image().digest) }).click();
    await page.getByRole('heading', { name: 'Layers (5)' }).waitFor();

    const layers = page.locator('section', { hasText: 'Layers (5)' }).locator('tbody tr');
    const sizes = await layers
      .locator('[data-bytes]')
      .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-bytes'))));
    expect(sizes).toEqual(layoutSizes().layers);
    const commands = await layers.locator('code').allTextContents();
    expect(commands).toEqual(layoutSizes().commands);
    await page.getByText('org.opencontainers.image.title').first().waitFor();
    await page.getByText('Nothing refers to this artifact.').waitFor();
    await checkPage(page, '05-artifact');
  });

  it('deletes a tag after confirmation; the artifact stays', async () => {
    await page.goto(url(`/repositories/${project}/app/-/tags`));
    await page.getByRole('button', { name: 'Delete tag v2' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete tag v2' });
    await dialog.getByRole('button', { name: 'Delete tag v2' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('1–1 of 1 tags').waitFor();

    const api = new ApiClient(server().url);
    const tags = await api.get<{ items: { name: string }[] }>(
      `/repositories/${encodeURIComponent(`${project}/app`)}/tags`,
      { basic: adminCredentials },
    );
    expect(tags.body.items.map((t) => t.name)).toEqual(['v1']);
    await checkPage(page, '06-tags');
  });

  it('charts the image size over time', async () => {
    await page.getByRole('tab', { name: 'Size over time' }).click();
    await page.getByText('Artifact size by push time').waitFor();
    await page.locator('.recharts-surface').first().waitFor({ state: 'attached' });
    await checkPage(page, '07-size-chart');
  });

  it('opens a repository with 10,000 tags and pages through them on the server', async () => {
    await tagTenThousandTimes(`${project}/many`);

    await page.goto(url(`/repositories/${project}/many/-/tags`));
    await page.getByText('1–50 of 10,000 tags').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(50);
    await page.getByRole('button', { name: 'Page 2', exact: true }).click();
    await page.getByText('51–100 of 10,000 tags').waitFor();
    await page.getByRole('link', { name: 'tag-00050', exact: true }).waitFor();

    await page.getByLabel('Search tags').fill('tag-09999');
    await page.getByText('1–1 of 1 tags').waitFor();
    await checkPage(page, '08-many-tags');

    await page.goto(url(`/repositories/${project}/many`));
    await page.getByText('+9,990 more').waitFor();
  });

  it('shows members, robot accounts with their secret once, storage, audit and settings', async () => {
    await page.goto(url(`/projects/${project}/members`));
    await page.getByRole('cell', { name: 'admin', exact: true }).waitFor();
    await checkPage(page, '09-members');

    await page.goto(url(`/projects/${project}/robots`));
    await page.getByRole('button', { name: 'New robot account' }).click();
    const dialog = page.getByRole('dialog', { name: 'New robot account' });
    await dialog.getByLabel('Name').fill('ci');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText('Copy the secret now').waitFor();
    const secret = await dialog.locator('[title]').nth(1).getAttribute('title');
    const login = await dialog.locator('[title]').nth(0).getAttribute('title');
    await checkPage(page, '10-robot-secret');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page
      .getByRole('cell', { name: /robot\$portal-e2e\+ci/ })
      .first()
      .waitFor();
    expect(await new ApiClient(server().url).login(login!, secret!)).toMatch(/^ey/);

    await page.goto(url(`/projects/${project}/storage`));
    await page.getByText('Largest repositories').waitFor();
    await checkPage(page, '11-storage');

    await page.goto(url(`/projects/${project}/audit`));
    await page.getByRole('cell', { name: 'tag.delete' }).waitFor();
    await checkPage(page, '12-project-audit');

    await page.goto(url(`/projects/${project}/settings`));
    await page.getByRole('button', { name: 'Save', exact: true }).waitFor();
    await checkPage(page, '13-project-settings');
  });

  it('shows the system pages to an administrator', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Action').fill('project.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: project, exact: true }).first().waitFor();
    await checkPage(page, '14-audit');

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await checkPage(page, '15-users');

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByText('Effective configuration').waitFor();
    await checkPage(page, '16-settings');
  });

  it('stays readable in dark mode', async () => {
    await page.goto(url(`/repositories/${project}/app`));
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    await page.getByRole('button', { name: 'Switch to light mode' }).waitFor();
    await checkPage(page, '17-dark-artifacts');

    await page.goto(url('/projects'));
    await checkPage(page, '18-dark-projects');
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: /^Account/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);

    expect(await page.evaluate('sessionStorage.getItem("berth.session")')).toBeNull();
    await page.goto(url('/projects'));
    await page.waitForURL(/\/login\?next=%2Fprojects/);
  });

  it('takes the tokens an OIDC sign-in leaves in the URL fragment, then forgets the fragment', async () => {
    const token = await fetch(url('/auth/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: adminCredentials.username,
        password: adminCredentials.password,
        scope: 'berth:api:*',
        access_type: 'offline',
      }),
    });
    const { access_token, refresh_token } = (await token.json()) as {
      access_token: string;
      refresh_token: string;
    };
    const fragment = new URLSearchParams({
      access_token,
      token_type: 'Bearer',
      expires_in: '300',
      refresh_token,
    });

    await page.goto(url(`/projects/${project}/members#${fragment}`));
    await page.getByRole('cell', { name: 'admin', exact: true }).waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.getByRole('button', { name: 'Account admin' }).count()).toBe(1);
  });

  it('renews an expired token with the refresh token', async () => {
    await page.evaluate(`(() => {
      const session = JSON.parse(sessionStorage.getItem('berth.session'));
      sessionStorage.setItem('berth.session', JSON.stringify({ ...session, expiresAt: 0 }));
    })()`);

    await page.goto(url('/projects'));
    await page.getByRole('link', { name: project, exact: true }).waitFor();
    const stored = await page.evaluate('sessionStorage.getItem("berth.session")');
    expect(JSON.parse(String(stored)).expiresAt).toBeGreaterThan(Date.now());
  });

  /** What the layout holds for the pushed image: sizes and the build step of each layer. */
  function layoutSizes() {
    const blob = (digest: string) =>
      JSON.parse(readFileSync(path.join(image().dir, 'blobs', 'sha256', digest.slice(7)), 'utf8'));
    const manifest = blob(image().digest) as {
      config: { digest: string; size: number };
      layers: { size: number }[];
    };
    const config = blob(manifest.config.digest) as {
      history: { created_by: string; empty_layer?: boolean }[];
    };
    const layers = manifest.layers.map((l) => l.size);

    return {
      layers,
      total: image().size + manifest.config.size + layers.reduce((a, b) => a + b, 0),
      commands: config.history.filter((h) => !h.empty_layer).map((h) => h.created_by),
    };
  }
});

function shortDigest(digest: string): string {
  return `sha256:${digest.slice(7, 19)}`;
}

/**
 * One image under 10,000 tags, written straight into the metadata store: pushing 10,000 tags
 * would time the client, not the portal.
 */
async function tagTenThousandTimes(repository: string): Promise<void> {
  const api = new ApiClient(server().url);
  const source = await api.get<{ digest: string }>(
    `/repositories/${encodeURIComponent(`${project}/app`)}/artifacts/v1`,
    { basic: adminCredentials },
  );
  await run('skopeo', [
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--src-creds',
    `${adminCredentials.username}:${adminCredentials.password}`,
    '--dest-creds',
    `${adminCredentials.username}:${adminCredentials.password}`,
    `docker://${server().host}/${project}/app@${source.body.digest}`,
    `docker://${server().host}/${repository}:tag-00000`,
  ]);

  const meta = server().berth.registry.meta;
  const id = (await meta.findRepository(repository))!;
  const record = (await meta.getManifest(id, source.body.digest))!;
  const tags = Array.from({ length: 10_000 }, (_, i) => `tag-${String(i).padStart(5, '0')}`);
  await meta.putManifest(id, record, [], tags);
}

describe('what the portal asked of the server', () => {
  it('was the documented management API only, sent and answered as documented', async () => {
    await chromium().expectDocumentedApiOnly(server().url);
  });
});
