// The portal's scanning views in Debian's Chromium: the Debian test image pushed to a registry
// whose advisory database holds the expected-findings fixtures, so what the scan finds is known
// (test/fixtures/scan/advisories-expected). The artifact list shows its critical finding; the
// artifact page its summary, the findings (filtered by severity, searched, an alias opened), the
// packages, the history chart, an SBOM download and a new scan on request; a developer gets no
// "Scan now". A second registry with no advisories says plainly that nothing was matched.
// axe-core checks each view, in light and dark; screenshots go to build/screenshots/.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdvisoryStore } from '../../src/scan/advisories/index.js';
import { AdminApi, adminCredentials, type Credentials } from '../support/accounts.js';
import { checkPage, usePortalBrowser, signInWithPassword } from '../support/browser.js';
import { finishedScan, pushLayoutImage } from '../support/scans.js';
import { startTestServer, tempDir, type TestServer } from '../support/server.js';
import { testImages } from '../support/tools.js';
import { expectedFixtures, importExpectedFixtures } from '../unit/scan/match/support.js';

const chromium = usePortalBrowser();
const repo = 'scans/debian';
const debian = () => testImages()['debian-bookworm']!;
const expected = JSON.parse(
  readFileSync(path.join(expectedFixtures, 'expected', 'debian-bookworm.json'), 'utf8'),
) as { id: string; severity: string }[];
const count = (severity: string) => expected.filter((f) => f.severity === severity).length;

/** A registry with the project, the image pushed and its scan finished. */
async function scannedRegistry(dataDir: string) {
  const server = await startTestServer({ dataDir, auth: { enabled: true } });
  await new AdminApi(server).createProject('scans');
  const digest = await pushLayoutImage(server, adminCredentials, debian().dir, repo, 'bookworm');
  const scan = await finishedScan(server, repo, digest);

  return { server, digest, scan };
}

async function signIn(page: Page, server: TestServer, credentials: Credentials) {
  await signInWithPassword(page, server.url, credentials);
}

function shortDigest(digest: string): string {
  return `sha256:${digest.slice(7, 19)}`;
}

describe('an image scanned against the advisory fixtures', () => {
  let server: TestServer;
  let digest: string;
  let scannedAt: number;
  let page: Page;
  const url = (pathname: string) => `${server.url}${pathname}`;
  const artifactUrl = () => url(`/repositories/${repo}/-/artifacts/${digest}`);
  const findings = () => page.locator('[role="tabpanel"] tbody tr');

  beforeAll(async () => {
    const dataDir = tempDir();
    const store = await openAdvisoryStore(path.join(dataDir, 'advisories.db'));
    await importExpectedFixtures(store);
    await store.close();

    const registry = await scannedRegistry(dataDir);
    ({ server, digest } = registry);
    scannedAt = registry.scan.finishedAt!;
    expect(registry.scan).toMatchObject({ status: 'done' });
    expect(registry.scan.advisories).not.toBe('none');
  });

  afterAll(async () => server?.close());

  it('shows the critical finding in the artifact list', async () => {
    page = chromium().page;
    await signIn(page, server, adminCredentials);

    await page.goto(url(`/repositories/${repo}`));
    const row = page.getByRole('row', { name: /bookworm/ });
    await row.getByText(`${count('critical')} critical`, { exact: true }).waitFor();
    await row.getByText(`${count('negligible')} negligible`, { exact: true }).waitFor();
    expect(await row.getByText('0 high').count()).toBe(0);
    await checkPage(page, 'scans-01-artifacts', { dark: true });
  });

  it('shows the scan, its counts per severity and every finding on the artifact page', async () => {
    await page.getByRole('link', { name: shortDigest(digest) }).click();
    await page.getByRole('heading', { name: 'Security scan' }).waitFor();

    await page.getByText(/^Scanned .* after the push\.$/).waitFor();
    const section = page.locator('section', { hasText: 'Security scan' });
    for (const severity of ['critical', 'high', 'medium', 'low', 'negligible', 'unknown']) {
      const badge = section.locator(`[data-severity="${severity}"]`).first();
      expect(await badge.textContent()).toBe(`${count(severity)} ${severity}`);
    }
    await page.getByText(`${expected.length} in all, 0 with a fix`).waitFor();
    expect(await page.getByText('No advisory database was imported').count()).toBe(0);
    expect(
      await page.getByRole('tab', { name: 'Vulnerabilities' }).getAttribute('aria-selected'),
    ).toBe('true');
    await page.getByText(`1–${expected.length} of ${expected.length} findings`).waitFor();
    expect(await findings().count()).toBe(expected.length);
    expect(await findings().first().textContent()).toContain('CVE-2023-45853');
    await checkPage(page, 'scans-02-artifact', { dark: true });
  });

  it('filters the findings by severity, shows aliases and searches', async () => {
    await page.getByRole('combobox', { name: 'Severity' }).click();
    await page.getByRole('option', { name: `critical (${count('critical')})` }).click();
    await page.keyboard.press('Escape');

    await page.getByText('1–1 of 1 findings').waitFor();
    expect(await findings().count()).toBe(1);
    expect(await findings().first().textContent()).toContain('CVE-2023-45853');
    expect(new URL(page.url()).searchParams.get('severity')).toBe('critical');
    await page.getByRole('button', { name: '+1 alias of CVE-2023-45853' }).click();
    await page.getByText('DEBIAN-CVE-2023-45853', { exact: true }).waitFor();
    await checkPage(page, 'scans-03-critical');
    await page.keyboard.press('Escape');

    await page.goto(artifactUrl());
    await page.getByLabel('Search ids and packages').fill('libc6');
    await page.getByText('1–1 of 1 findings').waitFor();
    expect(await findings().first().textContent()).toContain('CVE-2010-4756');
    expect(new URL(page.url()).searchParams.get('q')).toBe('libc6');
    await checkPage(page, 'scans-04-search');
  });

  it('lists the packages by type, searchable, from the keyboard', async () => {
    await page.goto(artifactUrl());
    await page.getByRole('tab', { name: 'Vulnerabilities' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Packages', selected: true }).waitFor();

    const types = page.getByRole('combobox', { name: 'Package type' });
    await expect.poll(() => types.inputValue()).toMatch(/^All types \(\d+\)$/);
    await page.getByLabel('Search names and purls').fill('libc6');
    await page.getByText('1–1 of 1 packages').waitFor();
    const row = page.locator('[role="tabpanel"] tbody tr');
    expect(await row.count()).toBe(1);
    await row.getByText('libc6', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Copy the purl of libc6' }).waitFor();
    expect(await row.locator('[title^="pkg:deb/debian/libc6@"]').count()).toBe(1);
    await checkPage(page, 'scans-05-packages', { dark: true });
  });

  it('charts the counts per severity over time', async () => {
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByText(/^Vulnerabilities per severity at each match/).waitFor();
    await page.locator('.recharts-surface').first().waitFor({ state: 'attached' });
    expect(await page.locator('.recharts-legend-wrapper').textContent()).toContain('critical');
    await checkPage(page, 'scans-06-history', { dark: true });
  });

  it('downloads the CycloneDX SBOM with the session', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Download the CycloneDX SBOM/ }).click(),
    ]);

    expect(download.suggestedFilename()).toBe(`${digest.replace(':', '-')}.cyclonedx.json`);
    const bom = JSON.parse(await readFile((await download.path())!, 'utf8')) as {
      bomFormat: string;
      specVersion: string;
      components: { name: string; purl?: string }[];
    };
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    expect(bom.components.some((c) => c.purl?.startsWith('pkg:deb/debian/libc6@'))).toBe(true);
  });

  it('scans again on request and follows the scan until it is done', async () => {
    await page.getByRole('button', { name: 'Scan now' }).click();

    const scan = await finishedScan(server, repo, digest, scannedAt);
    expect(scan).toMatchObject({ status: 'done', reason: 'request' });
    await page.getByText(/^Scanned .* on request\.$/).waitFor();
    expect(await page.getByRole('button', { name: 'Scan now' }).isEnabled()).toBe(true);
  });

  it('gives a developer the findings and packages but no "Scan now"', async () => {
    const admin = new AdminApi(server);
    const dev = await admin.createUser('dev');
    await admin.addMember('scans', 'user', 'dev', 'developer');
    page = await chromium().freshPage();
    await signIn(page, server, dev);

    await page.goto(artifactUrl());
    await page.getByText(/^Scanned .*\.$/).waitFor();
    await page.getByText(`1–${expected.length} of ${expected.length} findings`).waitFor();
    expect(await page.getByRole('button', { name: 'Scan now' }).count()).toBe(0);
    await page.getByRole('tab', { name: 'Packages' }).click();
    await page.getByText(/^1–10 of \d+ packages$/).waitFor();
  });

  it('asked the server only what the management API documents', async () => {
    await chromium().expectDocumentedApiOnly(server.url);
  });
});

describe('an image scanned before any advisory was imported', () => {
  let server: TestServer;
  let digest: string;
  let page: Page;

  beforeAll(async () => {
    ({ server, digest } = await scannedRegistry(tempDir()));
  });

  afterAll(async () => server?.close());

  it('is not shown as clean, in the list or on its page', async () => {
    page = await chromium().freshPage();
    await signIn(page, server, adminCredentials);

    await page.goto(`${server.url}/repositories/${repo}`);
    const row = page.getByRole('row', { name: /bookworm/ });
    await row.getByText('not matched: no advisories').waitFor();
    await checkPage(page, 'scans-07-unmatched-list');

    await page.goto(`${server.url}/repositories/${repo}/-/artifacts/${digest}`);
    await page.getByText('No advisory database was imported').waitFor();
    await page.getByText('0 in all, 0 with a fix').waitFor();
    await page.getByText('Nothing was matched: no advisory had been imported.').waitFor();
    await checkPage(page, 'scans-08-unmatched', { dark: true });
  });
});
