/**
 * Debian's Chromium, driven by playwright-core, for the portal's end-to-end tests: one browser
 * per test file, each page checked by axe-core for serious and critical violations, and a
 * screenshot of every page checked (and of the page a failing test left) in build/screenshots/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { portalCallOf, undocumentedCalls, type PortalCall } from './portal-traffic.js';
import { repoRoot } from './server.js';

export const screenshots = path.join(repoRoot, 'build', 'screenshots');

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** Debian's chromium package: the binary itself, or the wrapper script that starts it. */
export function chromiumPath(): string {
  const found = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
  if (!found) throw new Error('chromium is not installed: run scripts/install-test-tools.sh');

  return found;
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** Runs axe-core in the page; evaluated through the DevTools protocol, so the CSP stays on. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } })
      .axe;
    return (await axe.run()).violations;
  });

  return (violations as Violation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ` +
        v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 200)}`).join(', '),
    );
}

/**
 * Waits for the page to settle, checks it with axe and keeps a screenshot of it. With
 * `dark`, does it again with the system in dark mode (the portal follows it until the toggle
 * is used), and goes back to light.
 */
export async function checkPage(
  page: Page,
  name: string,
  options: { dark?: boolean } = {},
): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
  expect(await seriousViolations(page), `accessibility of ${name}`).toEqual([]);
  if (!options.dark) return;

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('html[data-mantine-color-scheme="dark"]').waitFor({ state: 'attached' });
  await page.screenshot({ path: path.join(screenshots, `${name}-dark.png`), fullPage: true });
  expect(await seriousViolations(page), `accessibility of ${name} in dark mode`).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Chromium and the page the tests drive. */
/** Signs in on the portal's login page at `baseUrl` and waits for the projects page. */
export async function signInWithPassword(
  page: Page,
  baseUrl: string,
  credentials: { username: string; password: string },
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username').fill(credentials.username);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}

export class PortalBrowser {
  private current: Page | undefined;
  /** Every response any of its pages received, for `expectDocumentedApiOnly`. */
  private readonly calls: Promise<PortalCall | undefined>[] = [];

  private constructor(readonly browser: Browser) {}

  static async launch(): Promise<PortalBrowser> {
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      // Chromium's sandbox needs user namespaces that a root CI container does not offer.
      args: ['--no-sandbox'],
    });
    const session = new PortalBrowser(browser);

    await session.freshPage();
    return session;
  }

  /** The page the tests drive: a failing test leaves a screenshot of it. */
  get page(): Page {
    if (!this.current) throw new Error('no page is open');

    return this.current;
  }

  /**
   * A page in a new browser context (no cookies, no session storage), which becomes `page`:
   * for a second person, or a sign-in that must not find the last one's provider session.
   */
  async freshPage(): Promise<Page> {
    // Counts the tests read ("10,000 tags") are formatted for the page's locale.
    const context = await this.browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
      colorScheme: 'light',
    });
    context.on('response', (response) => {
      this.calls.push(portalCallOf(response).catch(() => undefined));
    });
    this.current = await context.newPage();
    this.current.setDefaultTimeout(15_000);

    return this.current;
  }

  /**
   * Fails unless everything the pages asked of the Berth at `origin` so far was the app's own
   * files or a documented API call, sent and answered as documented (portal-traffic.ts).
   */
  async expectDocumentedApiOnly(origin: string): Promise<void> {
    const calls = (await Promise.all(this.calls)).filter((c) => c !== undefined);
    const apiCalls = calls.filter((c) => c.url.pathname.startsWith('/api/v1/'));

    expect(apiCalls.length, 'API calls recorded').toBeGreaterThan(0);
    expect(await undocumentedCalls(calls, origin)).toEqual([]);
  }
}

/**
 * Starts Chromium for the enclosing file, once it has checked that the portal is built, and
 * closes it afterwards. Call the getter inside hooks and tests.
 */
export function usePortalBrowser(): () => PortalBrowser {
  let session: PortalBrowser | undefined;

  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'portal', 'dist', 'index.html'))) {
      throw new Error('the portal is not built: run node scripts/bootstrap.mjs (or npm run build)');
    }
    mkdirSync(screenshots, { recursive: true });
    session = await PortalBrowser.launch();
  });

  // A failing step leaves a picture of what the browser showed.
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !session) return;
    const name = context.task.name.replace(/[^a-z0-9]+/gi, '-');
    await session.page.screenshot({
      path: path.join(screenshots, `failed-${name}.png`),
      fullPage: true,
    });
  });

  afterAll(async () => {
    await session?.browser.close();
  });

  return () => {
    if (!session) throw new Error('the browser is not running: call this inside a test');

    return session;
  };
}
