// Single sign-on in the portal, in Debian's Chromium against a real OpenID Connect provider
// (oidc-provider, in this process): "Sign in with Corp SSO" on the portal's sign-in page, the
// provider's own sign-in form, and back into the portal as the provider's person. An
// administrator by group sees the system pages; a member by group sees their project, makes a
// CLI secret that registry clients take, and stays signed in. Both sign out. axe-core checks
// each page; screenshots go to build/screenshots/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials, RegistryAs } from '../support/accounts.js';
import { ApiClient } from '../support/api-client.js';
import { checkPage, usePortalBrowser } from '../support/browser.js';
import { TestOidcProvider, type TestPerson } from '../support/oidc-provider.js';
import { startTestServer, type TestServer } from '../support/server.js';

const clientSecret = 'client-secret-for-the-portal-0123456789';
const buttonLabel = 'Sign in with Corp SSO';
const project = 'sso-portal';

/** An administrator through the provider's admin group. */
const olga: TestPerson = {
  sub: 'portal-olga',
  username: 'olga',
  password: 'olga-provider-password',
  email: 'olga@corp.test',
  name: 'Olga Kurylenko',
  groups: ['sso-admins'],
};
/** A developer of the project through the provider's group sso-devs. */
const dana: TestPerson = {
  sub: 'portal-dana',
  username: 'dana',
  password: 'dana-provider-password',
  email: 'dana@corp.test',
  name: 'Dana Scully',
  groups: ['sso-devs'],
};

let provider: TestOidcProvider;
let server: TestServer;

beforeAll(async () => {
  provider = await TestOidcProvider.start([olga, dana]);
  server = await startTestServer({
    auth: {
      enabled: true,
      oidc: {
        enabled: true,
        issuer: provider.issuer,
        clientId: 'berth-portal',
        clientSecret,
        scopes: 'openid profile email groups',
        adminGroup: 'sso-admins',
        buttonLabel,
      },
    },
  });
  provider.register({
    clientId: 'berth-portal',
    clientSecret,
    redirectUri: `${server.url}/auth/oidc/callback`,
  });

  const admin = new AdminApi(server);
  await admin.createProject(project);
  await admin.addMember(project, 'group', 'sso-devs', 'developer');
  await new RegistryAs(server, adminCredentials).pushed(`${project}/app`, 'v1');
});

afterAll(async () => {
  await server?.close();
  await provider?.close();
});

const chromium = usePortalBrowser();
const url = (pathname: string) => `${server.url}${pathname}`;

/**
 * From the portal's sign-in page to the provider's form and back: the portal's button, the
 * provider's fields filled in as a person would, and Berth's redirect into the portal.
 */
async function signInAtProvider(page: Page, person: TestPerson, screenshot?: string) {
  await page.getByRole('link', { name: buttonLabel }).click();
  await page.waitForURL(`${provider.issuer}/interaction/**`);
  await page.getByLabel('Username').waitFor();
  if (screenshot) await checkPage(page, screenshot);

  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}/**`);
  await page.getByRole('button', { name: `Account ${person.username}` }).waitFor();
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: /^Account/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);

  expect(await page.evaluate('sessionStorage.getItem("berth.session")')).toBeNull();
  await page.goto(url('/projects'));
  await page.waitForURL(/\/login\?next=%2Fprojects/);
}

describe('an administrator through the provider', () => {
  it('finds the provider on the portal sign-in page', async () => {
    const page = chromium().page;
    await page.goto(url('/'));
    await page.waitForURL(/\/login/);

    const button = page.getByRole('link', { name: buttonLabel });
    expect(await button.getAttribute('href')).toBe('/auth/oidc/login?return_to=%2F');
    await checkPage(page, 'oidc-01-login');
  });

  it('signs in at the provider and lands in the portal with the tokens out of the address bar', async () => {
    const page = chromium().page;
    await signInAtProvider(page, olga, 'oidc-02-provider');

    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/projects');
    expect(new URL(page.url()).hash).toBe('');
    const stored = JSON.parse(
      String(await page.evaluate('sessionStorage.getItem("berth.session")')),
    );
    expect(stored).toMatchObject({ username: 'olga' });
    expect(stored.refreshToken).toMatch(/^ey/);
    await page.getByRole('link', { name: project, exact: true }).waitFor();
    await checkPage(page, 'oidc-03-projects');
  });

  it('sees the system pages, where the account shows as one from the provider', async () => {
    const page = chromium().page;
    await page.getByRole('link', { name: 'Users' }).click();
    const row = page.getByRole('row', { name: /olga/ });
    await row.getByText('oidc', { exact: true }).waitFor();
    expect(await row.getByRole('switch', { name: 'olga is an administrator' }).isChecked()).toBe(
      true,
    );
    await checkPage(page, 'oidc-04-users');

    await page.getByRole('link', { name: 'Robot accounts' }).click();
    await page.getByRole('heading', { name: 'Robot accounts' }).waitFor();
  });

  it('shows their name, groups and CLI secret section on their account page', async () => {
    const page = chromium().page;
    await page.getByRole('button', { name: 'Account olga' }).click();
    await page.getByRole('menuitem', { name: 'Your account' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByRole('menu').waitFor({ state: 'hidden' });

    await page.getByText('Olga Kurylenko').waitFor();
    await page.getByText('single sign-on (OpenID Connect)').waitFor();
    await page.getByText('sso-admins', { exact: true }).waitFor();
    await page.getByRole('heading', { name: 'CLI secret' }).waitFor();
    expect(await page.getByLabel('Current password').count()).toBe(0);
    await checkPage(page, 'oidc-05-account', { dark: true });
  });

  it('signs out', async () => {
    await signOut(chromium().page);
  });
});

describe('a project member through the provider', () => {
  let page: Page;

  beforeAll(async () => {
    // A new browser: the provider still knows olga in the last one.
    page = await chromium().freshPage();
  });

  it('signs in from a project page and comes back to it, seeing their project only', async () => {
    await page.goto(url(`/projects/${project}`));
    await page.waitForURL(/\/login\?next=/);
    await signInAtProvider(page, dana);

    expect(new URL(page.url()).pathname).toBe(`/projects/${project}`);
    await page.getByRole('link', { name: `${project}/app` }).waitFor();
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await checkPage(page, 'oidc-06-member-project');
  });

  it('makes a CLI secret, shown once, that registry clients take; the page stays signed in', async () => {
    await page.goto(url('/account'));
    await page.getByText('Dana Scully').waitFor();
    await page.getByRole('button', { name: 'New CLI secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'New CLI secret' });
    await dialog.getByRole('button', { name: 'Make a new secret' }).click();
    await dialog.getByText('Copy the secret now').waitFor();

    const username = await dialog.locator('[title]').nth(0).getAttribute('title');
    const secret = await dialog.locator('[title]').nth(1).getAttribute('title');
    const command = await dialog.locator('[title]').nth(2).getAttribute('title');
    expect(username).toBe('dana');
    expect(secret).toMatch(/^\S{32,}$/);
    expect(command).toBe(`docker login ${server.host} -u dana`);
    await checkPage(page, 'oidc-07-cli-secret');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByText(secret!).count()).toBe(0);

    const api = new ApiClient(server.url);
    expect(await api.login('dana', secret!)).toMatch(/^ey/);
    const registry = new RegistryAs(server, { username: 'dana', password: secret! });
    expect((await registry.pull(`${project}/app`, 'v1')).status).toBe(200);

    // The secret ended the tab's earlier tokens; the tab signed in again with it.
    await page.reload();
    await page.getByText('Dana Scully').waitFor();
    await page.goto(url(`/projects/${project}`));
    await page.getByRole('link', { name: `${project}/app` }).waitFor();
  });

  it('signs out', async () => {
    await signOut(page);
  });
});

describe('what the portal asked of the server', () => {
  it('was the documented management API only, sent and answered as documented', async () => {
    await chromium().expectDocumentedApiOnly(server.url);
  });
});
