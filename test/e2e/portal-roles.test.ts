// The portal in Debian's Chromium as each project role sees it, and listings opened past their
// end. A limited guest, a guest, a developer, a maintainer and a project admin each get the
// buttons and sections their role allows (docs/access-control.md) and no others. A listing
// opened on a page past its last one (tags, artifacts, projects) shows the last page and says
// so in the address; an empty one reads "0 of 0"; one whose last rows are deleted steps back.
// axe-core checks each page; screenshots go to build/screenshots/.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials, RegistryAs, type Credentials } from '../support/accounts.js';
import { checkPage, usePortalBrowser, signInWithPassword } from '../support/browser.js';
import { useTestServer } from '../support/server.js';

// No scan on push: twelve scans would only slow the pages down; "Scan now" is still offered.
const server = useTestServer({ auth: { enabled: true }, scanning: { onPush: false } });
const chromium = usePortalBrowser();
const url = (pathname: string) => `${server().url}${pathname}`;
const project = 'crew';
const repo = `${project}/app`;
const tags = Array.from({ length: 12 }, (_, i) => `v${String(i + 1).padStart(2, '0')}`);
/** Eleven more projects than `crew`, so that the projects list fills two pages of ten. */
const otherProjects = Array.from({ length: 11 }, (_, i) => `other-${i + 1}`);

const people: Record<string, Credentials> = {};

beforeAll(async () => {
  const admin = new AdminApi(server());
  await admin.createProject(project);
  for (const name of otherProjects) await admin.createProject(name);

  // Twelve images, a tag each: twelve artifacts and twelve tags.
  const registry = new RegistryAs(server(), adminCredentials);
  for (const tag of tags) await registry.pushed(repo, tag);
  await admin.createRobot('ci', [{ project, actions: ['pull'] }], { project });

  const roles = {
    lena: 'limited-guest',
    gus: 'guest',
    dev: 'developer',
    mae: 'maintainer',
    pam: 'project-admin',
  };
  for (const [name, role] of Object.entries(roles)) {
    people[name] = await admin.createUser(name);
    await admin.addMember(project, 'user', name, role);
  }
});

async function signIn(page: Page, credentials: Credentials) {
  await signInWithPassword(page, server().url, credentials);
}

/** A fresh browser signed in as `name`. */
async function signedIn(name: string): Promise<Page> {
  const page = await chromium().freshPage();
  await signIn(page, people[name]!);

  return page;
}

/** The page's query parameter `name` (null when the address has none). */
function param(page: Page, name: string): string | null {
  return new URL(page.url()).searchParams.get(name);
}

describe('a listing opened past its last page', () => {
  let page: Page;

  it('shows the last page of tags and puts it in the address', async () => {
    page = chromium().page;
    await signIn(page, adminCredentials);

    await page.goto(url(`/repositories/${repo}/-/tags?size=10&page=999`));
    await page.getByText('11–12 of 12 tags').waitFor();
    await expect.poll(() => param(page, 'page')).toBe('2');
    expect(param(page, 'size')).toBe('10');
    await checkPage(page, 'roles-01-tags-past-the-end');
    expect(await page.locator('tbody tr').count()).toBe(2);
  });

  it('shows the only page of artifacts, with no page in the address', async () => {
    await page.goto(url(`/repositories/${repo}?page=999`));
    await page.getByText('1–12 of 12 artifacts').waitFor();
    await expect.poll(() => param(page, 'page')).toBeNull();
    await checkPage(page, 'roles-02-artifacts-past-the-end');
    expect(await page.locator('tbody tr').count()).toBe(12);
  });

  it('shows the last page of projects', async () => {
    await page.goto(url('/projects?size=10&page=999'));
    await page.getByText('11–12 of 12 projects').waitFor();
    await expect.poll(() => param(page, 'page')).toBe('2');
    expect(await page.locator('tbody tr').count()).toBe(2);
  });

  it('takes a page the API would refuse as the last page, and a size it would refuse as the default', async () => {
    await page.goto(url('/projects?page=5000000&size=1000'));
    await page.getByText('1–12 of 12 projects').waitFor();
    await expect.poll(() => param(page, 'page')).toBeNull();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('says "0 of 0" when nothing matches', async () => {
    await page.goto(url(`/repositories/${repo}/-/tags?q=no-such-tag`));
    await page.getByText('No tag matches.').waitFor();
    await page.getByText('0 of 0 tags').waitFor();
    await checkPage(page, 'roles-03-no-tags');
  });

  it('steps back to the last page when the rows of the last one are deleted', async () => {
    await page.goto(url(`/repositories/${repo}/-/tags?size=10&page=2`));
    await page.getByText('11–12 of 12 tags').waitFor();
    for (const tag of ['v11', 'v12']) {
      await page.getByRole('button', { name: `Delete tag ${tag}` }).click();
      const dialog = page.getByRole('dialog', { name: `Delete tag ${tag}` });
      await dialog.getByRole('button', { name: `Delete tag ${tag}` }).click();
      await dialog.waitFor({ state: 'hidden' });
    }

    await page.getByText('1–10 of 10 tags').waitFor();
    await expect.poll(() => param(page, 'page')).toBeNull();
    expect(await page.locator('tbody tr').count()).toBe(10);
  });
});

describe('a limited guest', () => {
  let page: Page;

  it('sees the artifacts and tags without delete buttons', async () => {
    page = await signedIn('lena');
    await page.goto(url(`/repositories/${repo}`));
    await page.getByText('1–12 of 12 artifacts').waitFor();
    await checkPage(page, 'roles-04-limited-guest-artifacts');

    expect(await page.getByRole('button', { name: /^Delete artifact/ }).count()).toBe(0);
    expect(await page.getByRole('columnheader', { name: 'Delete' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete repository' }).count()).toBe(0);

    await page.getByRole('tab', { name: 'Tags' }).click();
    await page.getByText('1–10 of 10 tags').waitFor();
    await checkPage(page, 'roles-05-limited-guest-tags');
    expect(await page.getByRole('button', { name: /^Delete tag/ }).count()).toBe(0);
  });

  it('sees an artifact without "Delete artifact" or "Scan now"', async () => {
    await page.goto(url(`/repositories/${repo}/-/artifacts/v01`));
    await page.getByText('Not scanned yet.').waitFor();
    await checkPage(page, 'roles-06-limited-guest-artifact');

    expect(await page.getByRole('button', { name: 'Delete artifact' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Scan now' }).count()).toBe(0);
  });

  it('sees only the sections of the project a limited guest may open', async () => {
    await page.goto(url(`/projects/${project}`));
    await page.getByRole('link', { name: repo }).waitFor();
    await checkPage(page, 'roles-07-limited-guest-project');

    const tabs = await page.getByRole('tab').allTextContents();
    expect(tabs).toEqual(['Repositories', 'Storage', 'Settings']);
  });

  it("reads the project's settings without the means to change them or delete the project", async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByText('Project administrators may change these settings.').waitFor();
    await checkPage(page, 'roles-08-limited-guest-settings');

    expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete project' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add label' }).count()).toBe(0);
  });
});

describe('a system page opened by its address', () => {
  it.each(['/system/users', '/system/robots', '/system/settings', '/audit'])(
    'shows a non-administrator %s as for administrators only, without its buttons',
    async (path) => {
      const page = await signedIn('lena');
      await page.goto(url(path));
      await page.getByText('Only system administrators can open this page.').waitFor();

      expect(await page.getByRole('button', { name: /^New / }).count()).toBe(0);
      expect(await page.getByRole('table').count()).toBe(0);
      await page.close();
    },
  );
});

describe('a guest', () => {
  let page: Page;

  it('sees the members and the audit log, but not the robot accounts', async () => {
    page = await signedIn('gus');
    await page.goto(url(`/projects/${project}`));
    await page.getByRole('link', { name: repo }).waitFor();
    await checkPage(page, 'roles-09-guest-project');

    const tabs = await page.getByRole('tab').allTextContents();
    expect(tabs).toEqual(['Repositories', 'Storage', 'Members', 'Audit log', 'Settings']);
  });

  it('sees the members and their roles without the means to change them', async () => {
    await page.getByRole('tab', { name: 'Members' }).click();
    await page.getByRole('cell', { name: 'gus', exact: true }).waitFor();
    await checkPage(page, 'roles-10-guest-members');

    const row = page.getByRole('row', { name: /lena/ });
    expect(await row.getByRole('cell', { name: 'limited-guest', exact: true }).count()).toBe(1);
    expect(await page.getByRole('combobox', { name: /^Role of/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Remove/ }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Add a member' }).count()).toBe(0);
  });

  it('sees the tags without delete buttons', async () => {
    await page.goto(url(`/repositories/${repo}/-/tags`));
    await page.getByText('1–10 of 10 tags').waitFor();
    await checkPage(page, 'roles-11-guest-tags');

    expect(await page.getByRole('button', { name: /^Delete tag/ }).count()).toBe(0);
  });
});

describe('a developer', () => {
  let page: Page;

  it('may delete tags but not artifacts, repositories, or ask for a scan', async () => {
    page = await signedIn('dev');
    await page.goto(url(`/repositories/${repo}/-/tags`));
    await page.getByRole('button', { name: 'Delete tag v01' }).waitFor();

    await page.getByRole('tab', { name: 'Artifacts' }).click();
    await page.getByText('1–12 of 12 artifacts').waitFor();
    await checkPage(page, 'roles-12-developer-artifacts');
    expect(await page.getByRole('button', { name: /^Delete artifact/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete repository' }).count()).toBe(0);

    await page.goto(url(`/repositories/${repo}/-/artifacts/v01`));
    await page.getByText('Not scanned yet.').waitFor();
    await checkPage(page, 'roles-13-developer-artifact');
    expect(await page.getByRole('button', { name: 'Scan now' }).count()).toBe(0);
  });
});

describe('a maintainer', () => {
  let page: Page;

  it('may delete artifacts and the repository, and ask for a scan', async () => {
    page = await signedIn('mae');
    await page.goto(url(`/repositories/${repo}`));
    await page
      .getByRole('button', { name: /^Delete artifact/ })
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Delete repository' }).waitFor();

    await page.goto(url(`/repositories/${repo}/-/artifacts/v01`));
    await page.getByRole('button', { name: 'Scan now' }).waitFor();
    await page.getByRole('button', { name: 'Delete artifact' }).waitFor();
  });

  it('sees the robot accounts without the means to create or change them', async () => {
    await page.goto(url(`/projects/${project}/robots`));
    await page.getByRole('cell', { name: 'robot$crew+ci', exact: true }).waitFor();
    await checkPage(page, 'roles-14-maintainer-robots');

    expect(await page.getByRole('button', { name: 'New robot account' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Delete robot/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^New secret/ }).count()).toBe(0);
    expect(await page.getByRole('switch', { name: 'robot$crew+ci is disabled' }).isDisabled()).toBe(
      true,
    );
  });
});

describe('a project admin', () => {
  let page: Page;

  it('may manage the robot accounts, the members and the settings', async () => {
    page = await signedIn('pam');
    await page.goto(url(`/projects/${project}/robots`));
    await page.getByRole('button', { name: 'New robot account' }).waitFor();
    await page.getByRole('button', { name: 'Delete robot$crew+ci' }).waitFor();

    await page.getByRole('tab', { name: 'Members' }).click();
    await page.getByRole('button', { name: 'Remove lena' }).waitFor();
    await page.getByRole('heading', { name: 'Add a member' }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Role of lena' }).count()).toBe(1);

    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete project' }).waitFor();
    await checkPage(page, 'roles-15-project-admin-settings');
  });
});

describe('what the portal asked of the server', () => {
  it('was the documented management API only, sent and answered as documented', async () => {
    await chromium().expectDocumentedApiOnly(server().url);
  });
});
