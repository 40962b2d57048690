// The portal's administration and account pages in Debian's Chromium: a project's storage quota
// and warning threshold, the system robot accounts (grants in several projects, the secret shown
// once, a new secret, disabling, deleting) and a local user changing their own password. Each
// change is checked through the API or the token endpoint as well as on screen; axe-core checks
// each page, in light and dark. Screenshots go to build/screenshots/.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials, type Credentials } from '../support/accounts.js';
import { ApiClient } from '../support/api-client.js';
import { checkPage, usePortalBrowser, signInWithPassword } from '../support/browser.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer({
  auth: { enabled: true, lockout: { slowAfter: 100, attempts: 100 } },
});
const chromium = usePortalBrowser();
const url = (pathname: string) => `${server().url}${pathname}`;
const gib = 1024 ** 3;

let api: ApiClient;
let pat: Credentials;

beforeAll(async () => {
  api = new ApiClient(server().url);
  const admin = new AdminApi(server());
  await admin.createProject('shop');
  await admin.createProject('tools');
  pat = await admin.createUser('pat');
});

async function signIn(page: Page, credentials: Credentials) {
  await signInWithPassword(page, server().url, credentials);
}

/** The values a dialog shows once, in order: login name (or username), then secret. */
async function shownOnce(page: Page, dialogName: string): Promise<string[]> {
  const dialog = page.getByRole('dialog', { name: dialogName });
  await dialog.getByText('Copy the secret now').waitFor();

  return dialog
    .locator('[title]')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('title') ?? ''));
}

async function quotaOf(project: string) {
  const res = await api.get<{ limitBytes: number | null; warning: number }>(
    `/projects/${project}/quota`,
    { basic: adminCredentials },
  );
  return res.body;
}

describe('an administrator', () => {
  let page: Page;
  let robot: Credentials;

  it('signs in', async () => {
    page = chromium().page;
    await signIn(page, adminCredentials);
  });

  it('sets a project quota and its warning threshold', async () => {
    await page.goto(url('/projects/shop/settings'));
    await page.getByRole('heading', { name: 'Storage quota' }).waitFor();
    await page.getByText('Storage used: 0 B (no limit)').waitFor();

    await page.getByRole('switch', { name: "Limit this project's storage" }).check();
    await page.getByRole('textbox', { name: 'Limit', exact: true }).fill('2');
    await page.getByLabel('Warn at (% of the limit)').fill('50');
    await page.getByRole('button', { name: 'Save quota' }).click();

    await page.getByText('0 B of 2.00 GiB (0%)').waitFor();
    expect(await quotaOf('shop')).toMatchObject({ limitBytes: 2 * gib, warning: 0.5 });
    await checkPage(page, 'admin-01-quota', { dark: true });
  });

  it('sets a quota in another unit, then removes the limit', async () => {
    await page.getByRole('textbox', { name: 'Limit', exact: true }).fill('512');
    await page.getByRole('combobox', { name: 'Unit' }).click();
    await page.getByRole('option', { name: 'MiB' }).click();
    await page.getByRole('button', { name: 'Save quota' }).click();
    await page.getByText('0 B of 512.0 MiB (0%)').waitFor();
    expect(await quotaOf('shop')).toMatchObject({ limitBytes: 512 * 1024 ** 2, warning: 0.5 });

    await page.getByRole('switch', { name: "Limit this project's storage" }).uncheck();
    await page.getByRole('button', { name: 'Save quota' }).click();
    await page.getByText('Storage used: 0 B (no limit)').waitFor();
    expect(await quotaOf('shop')).toMatchObject({ limitBytes: null });
  });

  it('creates a system robot with permissions in two projects and sees its secret once', async () => {
    await page.getByRole('link', { name: 'Robot accounts' }).click();
    await page.getByRole('heading', { name: 'Robot accounts' }).waitFor();
    await page.getByText('No system robot accounts yet.').waitFor();
    await page.getByRole('button', { name: 'New robot account' }).click();
    const dialog = page.getByRole('dialog', { name: 'New robot account' });
    await dialog.getByLabel('Name').fill('deployer');

    const first = dialog.getByRole('group', { name: 'Grant 1' });
    await first.getByLabel('Project').fill('sh');
    await page.getByRole('option', { name: 'shop' }).click();
    // The permissions field opens from the keyboard, as it does for someone without a mouse.
    await first.getByRole('combobox', { name: 'Permissions' }).focus();
    await page.keyboard.press('ArrowDown');
    await page.getByRole('option', { name: 'push', exact: true }).click();
    await dialog.getByLabel('Description').click();

    await dialog.getByRole('button', { name: 'Add a project' }).click();
    const second = dialog.getByRole('group', { name: 'Grant 2' });
    await second.getByLabel('Project').fill('tools');
    await second.getByLabel('Repositories').fill('web/*');
    await second.getByLabel('Repositories').press('Enter');
    await dialog.getByLabel('Description').fill('deploys the shop');
    await checkPage(page, 'admin-02-new-robot');

    await dialog.getByRole('button', { name: 'Create' }).click();
    const [login, secret] = await shownOnce(page, 'New robot account');
    expect(login).toBe('robot$deployer');
    await checkPage(page, 'admin-03-robot-secret');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByRole('row', { name: /robot\$deployer/ });
    await row.getByText('tools (web/*)').waitFor();
    expect(await page.getByText(secret!).count()).toBe(0);
    const stored = await api.get<{ grants: unknown[]; description: string }>(
      `/robots/${encodeURIComponent('robot$deployer')}`,
      { basic: adminCredentials },
    );
    expect(stored.body).toMatchObject({
      description: 'deploys the shop',
      grants: [
        { project: 'shop', actions: ['pull', 'push'] },
        { project: 'tools', repositories: ['web/*'], actions: ['pull'] },
      ],
    });
    robot = { username: login!, password: secret! };
    expect(await api.login(robot.username, robot.password)).toMatch(/^ey/);
    await checkPage(page, 'admin-04-robots', { dark: true });
  });

  it("replaces a robot's secret; the old one stops working", async () => {
    await page.getByRole('button', { name: 'New secret for robot$deployer' }).click();
    const dialog = page.getByRole('dialog', { name: 'New secret for robot$deployer' });
    await dialog.getByRole('button', { name: 'Replace the secret' }).click();
    const [login, secret] = await shownOnce(page, 'New secret for robot$deployer');
    await checkPage(page, 'admin-05-robot-new-secret');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });

    expect(login).toBe('robot$deployer');
    expect(secret).not.toBe(robot.password);
    await expect(api.login(robot.username, robot.password)).rejects.toThrow(
      /invalid robot name or secret/,
    );
    robot = { username: login!, password: secret! };
    expect(await api.login(robot.username, robot.password)).toMatch(/^ey/);
  });

  it('disables a robot, then deletes it', async () => {
    const disabled = page.getByRole('switch', { name: 'robot$deployer is disabled' });
    // The switch shows what the server holds: it flips once the change is saved.
    await disabled.click();
    await expect.poll(() => disabled.isChecked()).toBe(true);
    await expect(api.login(robot.username, robot.password)).rejects.toThrow(
      /robot account is disabled/,
    );

    await page.getByRole('button', { name: 'Delete robot$deployer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete robot$deployer' });
    await dialog.getByRole('button', { name: 'Delete robot$deployer' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('No system robot accounts yet.').waitFor();

    const gone = await api.get(`/robots/${encodeURIComponent('robot$deployer')}`, {
      basic: adminCredentials,
    });
    expect(gone.status).toBe(404);
  });
});

describe('a local user', () => {
  let page: Page;

  it('signs in in a new browser', async () => {
    page = await chromium().freshPage();
    await signIn(page, pat);
  });

  it('finds their account page in the account menu', async () => {
    await page.getByRole('button', { name: 'Account pat' }).click();
    await page.getByRole('menuitem', { name: 'Your account' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await page.getByRole('menu').waitFor({ state: 'hidden' });

    await page.getByText('a password kept by Berth').waitFor();
    await page.getByText('pat@example.test').waitFor();
    expect(await page.getByRole('heading', { name: 'CLI secret' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Robot accounts' }).count()).toBe(0);
    await checkPage(page, 'admin-06-account', { dark: true });
  });

  it('sees a project they administer without the quota form, which is for system admins', async () => {
    await new AdminApi(server()).addMember('tools', 'user', 'pat', 'project-admin');
    await page.goto(url('/projects/tools/settings'));
    await page.getByRole('button', { name: 'Delete project' }).waitFor();

    expect(await page.getByRole('heading', { name: 'Storage quota' }).count()).toBe(0);
    await page.goto(url('/account'));
    await page.getByText('a password kept by Berth').waitFor();
  });

  it('refuses a wrong current password', async () => {
    await page
      .getByRole('textbox', { name: 'Current password', exact: true })
      .fill('not-my-password');
    await page
      .getByRole('textbox', { name: 'New password', exact: true })
      .fill('pat-new-password-2');
    await page
      .getByRole('textbox', { name: 'New password again', exact: true })
      .fill('pat-new-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();

    await page.getByText('the current password is wrong').waitFor();
    expect(await api.login(pat.username, pat.password)).toMatch(/^ey/);
  });

  it('changes their password and stays signed in', async () => {
    await page.getByRole('textbox', { name: 'Current password', exact: true }).fill(pat.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor();
    expect(
      await page.getByRole('textbox', { name: 'Current password', exact: true }).inputValue(),
    ).toBe('');

    await expect(api.login(pat.username, pat.password)).rejects.toThrow(
      /invalid username or password/,
    );
    expect(await api.login(pat.username, 'pat-new-password-2')).toMatch(/^ey/);
    await page.reload();
    await page.getByText('pat@example.test').waitFor();
  });

  it('signs in with the new password after signing out', async () => {
    await page.getByRole('button', { name: 'Account pat' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);

    await signIn(page, { username: 'pat', password: 'pat-new-password-2' });
    expect(new URL(page.url()).pathname).toBe('/projects');
  });
});

describe('what the portal asked of the server', () => {
  it('was the documented management API only, sent and answered as documented', async () => {
    await chromium().expectDocumentedApiOnly(server().url);
  });
});
