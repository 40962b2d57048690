// LDAP sign-in against a real slapd (Debian's, started by the test on a free port): directory
// passwords through a service account, groups from a group search and from memberOf, the admin
// group, local and directory accounts side by side, filter injection, and a directory outage.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LdapSource, SourceUnavailableError } from '../../src/auth/index.js';
import { validateConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/http/logging.js';
import { AdminApi, adminCredentials, RegistryAs, type Credentials } from '../support/accounts.js';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { Slapd } from '../support/slapd.js';

const suffix = 'dc=berth,dc=test';
const people = `ou=people,${suffix}`;
const groups = `ou=groups,${suffix}`;
const serviceDn = `cn=berth,ou=services,${suffix}`;
const servicePassword = 'service-account-password';

const alice: Credentials = { username: 'alice', password: 'alice-directory-password' };
const bob: Credentials = { username: 'bob', password: 'bob-directory-password' };
const carol: Credentials = { username: 'carol', password: 'carol-directory-password' };
const dave: Credentials = { username: 'dave', password: 'dave-directory-password' };
/** Only signs in during the outage test, so no remembered credential hides the outage. */
const gina: Credentials = { username: 'gina', password: 'gina-directory-password' };
/** Also a local Berth account, with another password. */
const frankInDirectory: Credentials = { username: 'frank', password: 'frank-directory-password' };
const frankLocal: Credentials = { username: 'frank', password: 'frank-local-password' };

function person(uid: string, password: string, name: string): string {
  return [
    `dn: uid=${uid},${people}`,
    'objectClass: inetOrgPerson',
    `uid: ${uid}`,
    `cn: ${name}`,
    `sn: ${name.split(' ').at(-1)}`,
    `mail: ${uid}@berth.test`,
    `userPassword: ${password}`,
    '',
  ].join('\n');
}

function group(name: string, members: string[]): string {
  return [
    `dn: cn=${name},${groups}`,
    'objectClass: groupOfNames',
    `cn: ${name}`,
    ...members.map((uid) => `member: uid=${uid},${people}`),
    '',
  ].join('\n');
}

const directory = [
  `dn: ${suffix}\nobjectClass: dcObject\nobjectClass: organization\no: Berth\ndc: berth\n`,
  `dn: ${people}\nobjectClass: organizationalUnit\nou: people\n`,
  `dn: ${groups}\nobjectClass: organizationalUnit\nou: groups\n`,
  `dn: ou=services,${suffix}\nobjectClass: organizationalUnit\nou: services\n`,
  `dn: ${serviceDn}\nobjectClass: person\ncn: berth\nsn: berth\nuserPassword: ${servicePassword}\n`,
  person('alice', alice.password, 'Alice Liddell'),
  person('bob', bob.password, 'Bob Dylan'),
  person('carol', carol.password, 'Carol Danvers'),
  person('dave', dave.password, 'Dave Bowman'),
  person('gina', gina.password, 'Gina Lollo'),
  person('frank', frankInDirectory.password, 'Frank Poole'),
].join('\n');

/** Added through the running server, so that the memberof overlay fills in memberOf. */
const groupEntries = [
  group('devs', ['alice', 'gina']),
  group('readers', ['bob']),
  group('berth-admins', ['carol']),
].join('\n');

/**
 * Only the service account may search, so a sign-in that finds anyone proves it bound as the
 * service account; passwords can only be checked by binding.
 */
const access = [
  'access to attrs=userPassword by anonymous auth by * none',
  `access to * by dn.exact="${serviceDn}" read by self read by * none`,
];

const ldapSettings = (slapd: Slapd) => ({
  enabled: true,
  url: slapd.url,
  bindDn: serviceDn,
  bindPassword: servicePassword,
  userBase: people,
  userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
});

const logLines: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});

let slapd: Slapd;
let server: TestServer;
let api: ApiClient;
let admin: AdminApi;

beforeAll(async () => {
  slapd = await Slapd.start({
    suffix,
    rootPassword: 'root-password',
    ldif: directory,
    access,
    tls: true,
  });
  await slapd.add(groupEntries);

  server = await startTestServer(
    {
      auth: {
        enabled: true,
        // Few enough that an outage counted as failures would lock an account (see the end).
        lockout: { slowAfter: 100, attempts: 4 },
        ldap: {
          ...ldapSettings(slapd),
          groupBase: groups,
          groupFilter: '(&(objectClass=groupOfNames)(member={dn}))',
          adminGroup: 'berth-admins',
        },
      },
    },
    { logger: createLogger('debug', logSink) },
  );
  api = new ApiClient(server.url);
  admin = new AdminApi(server);
}, 30_000);

afterAll(async () => {
  await server?.close();
  await slapd?.stop();
});

/** GET /auth/token with Basic credentials, as `docker login` does. */
function signIn(credentials: Credentials) {
  return api.get<{ token?: string; errors?: { message: string }[] }>('/auth/token?service=berth', {
    basic: credentials,
  });
}

describe('directory sign-in', () => {
  it('tells the sign-in page that passwords are checked against a directory', async () => {
    const res = await api.get('/sign-in-methods');

    expect(res.body).toEqual({ password: true, ldap: true, oidc: null });
  });

  it('signs a directory user in and creates the account with source ldap', async () => {
    const res = await signIn(alice);
    const user = await api.get('/users/alice', { basic: adminCredentials });

    expect(res.status).toBe(200);
    expect(user.body).toMatchObject({
      username: 'alice',
      source: 'ldap',
      email: 'alice@berth.test',
      displayName: 'Alice Liddell',
      groups: ['devs'],
      admin: false,
    });
  });

  it('refuses a wrong password, an empty one and an unknown name', async () => {
    expect((await signIn({ username: 'alice', password: 'not-her-password' })).status).toBe(401);
    expect((await signIn({ username: 'alice', password: '' })).status).toBe(401);
    expect((await signIn({ username: 'zed', password: alice.password })).status).toBe(401);
    expect((await api.get('/users/zed', { basic: adminCredentials })).status).toBe(404);
  });

  it('names the account as the directory spells it, whatever the case typed', async () => {
    const res = await api.get('/whoami', {
      basic: { username: 'ALICE', password: alice.password },
    });

    expect(res.body).toMatchObject({ kind: 'user', name: 'alice' });
  });

  it.each(['*', '*)(uid=*', 'al*', 'alice)(|(uid=*', '*)(|(objectClass=*', 'alice\\', 'alice\0'])(
    'finds nobody for the filter-injection name %j',
    async (username) => {
      const res = await signIn({ username, password: alice.password });

      expect(res.status).toBe(401);
    },
  );
});

describe('groups and roles', () => {
  beforeAll(async () => {
    await admin.createProject('team');
    await admin.addMember('team', 'group', 'devs', 'developer');
    await admin.addMember('team', 'group', 'readers', 'guest');
  });

  it('lets the groups of a directory user act in a project with their role', async () => {
    const developer = new RegistryAs(server, alice);
    const guest = new RegistryAs(server, bob);
    const outsider = new RegistryAs(server, dave);

    expect((await developer.pushImage('team/app', 'v1')).status).toBe(201);
    expect((await guest.pull('team/app', 'v1')).status).toBe(200);
    expect((await guest.pushImage('team/app', 'v2')).status).toBe(403);
    expect((await outsider.pull('team/app', 'v1')).status).toBe(403);
  });

  it('makes members of the admin group system administrators, and nobody else', async () => {
    const asCarol = await api.get('/users', { basic: carol });
    const asBob = await api.get('/users', { basic: bob });

    expect(asCarol.status).toBe(200);
    expect(asBob.status).toBe(403);
  });
});

describe('local and directory accounts together', () => {
  beforeAll(async () => {
    await admin.createUser(frankLocal.username, frankLocal.password);
  });

  it('signs the local administrator and local users in as before', async () => {
    expect((await signIn(adminCredentials)).status).toBe(200);
    expect((await signIn(frankLocal)).status).toBe(200);
  });

  it('never hands a local account to the directory', async () => {
    const res = await signIn(frankInDirectory);
    const user = await api.get<{ source: string }>('/users/frank', { basic: adminCredentials });

    expect(res.status).toBe(401);
    expect(user.body.source).toBe('local');
  });
});

describe('groups from memberOf', () => {
  let memberOf: TestServer;

  beforeAll(async () => {
    memberOf = await startTestServer({
      auth: { enabled: true, ldap: { ...ldapSettings(slapd), memberOfAttribute: 'memberOf' } },
    });
  });
  afterAll(async () => memberOf?.close());

  it('reads group names from the DNs in the attribute', async () => {
    const client = new ApiClient(memberOf.url);
    const asAlice = await client.get('/whoami', { basic: alice });
    const asCarol = await client.get('/whoami', { basic: carol });

    expect(asAlice.body).toMatchObject({ name: 'alice', groups: ['devs'] });
    // Without an admin group configured, the directory does not decide who is an admin.
    expect(asCarol.body).toMatchObject({ name: 'carol', groups: ['berth-admins'], admin: false });
  });
});

describe('secrets', () => {
  it('shows the bind password as redacted in GET /api/v1/settings', async () => {
    const res = await api.get<{ auth: { ldap: Record<string, unknown> } }>('/settings', {
      basic: adminCredentials,
    });

    expect(res.body.auth.ldap.bindPassword).toBe('[redacted]');
    expect(res.body.auth.ldap.bindDn).toBe(serviceDn);
    expect(JSON.stringify(res.body)).not.toContain(servicePassword);
  });
});

describe('TLS', () => {
  /** The source on its own, configured as Berth would be with these settings. */
  function source(tls: {
    url?: string;
    startTls?: boolean;
    tlsCaFile?: string;
    tlsVerify?: boolean;
  }) {
    const settings = validateConfig({ auth: { ldap: { ...ldapSettings(slapd), ...tls } } }).auth
      .ldap;
    const { url, userBase, ...rest } = settings;

    return new LdapSource(
      { ...rest, url: url!, userBase: userBase! },
      createLogger('info', logSink),
    );
  }

  it('signs in over StartTLS, checking the certificate against the CA given', async () => {
    const identity = await source({ startTls: true, tlsCaFile: slapd.caFile }).authenticate(
      alice.username,
      alice.password,
    );

    expect(identity).toMatchObject({ username: 'alice', email: 'alice@berth.test' });
  });

  it('signs in over ldaps://', async () => {
    const identity = await source({ url: slapd.ldapsUrl, tlsCaFile: slapd.caFile }).authenticate(
      alice.username,
      alice.password,
    );

    expect(identity?.username).toBe('alice');
  });

  it('refuses a directory whose certificate it cannot verify, unless told not to check', async () => {
    const unverified = source({ startTls: true }).authenticate(alice.username, alice.password);
    const unchecked = source({ url: slapd.ldapsUrl, tlsVerify: false });

    await expect(unverified).rejects.toBeInstanceOf(SourceUnavailableError);
    const refusals = logLines.filter((line) => line.includes('failed to ask the ldap directory'));
    expect(refusals.at(-1)).toMatch(/certificate/);
    expect((await unchecked.authenticate(alice.username, alice.password))?.username).toBe('alice');
  });
});

// Last: stops the directory.
describe('a directory that is down', () => {
  beforeAll(async () => {
    await slapd.stop();
  });

  it('answers directory users with a clean 401 that says so', async () => {
    const res = await signIn(gina);

    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toMatch(/LDAP directory cannot be reached/);
  });

  it('still signs local accounts in', async () => {
    expect((await signIn(adminCredentials)).status).toBe(200);
    expect((await signIn(frankLocal)).status).toBe(200);
  });

  it('does not count the outage as failed sign-ins, and recovers with the directory', async () => {
    for (let attempt = 0; attempt < 5; attempt++) expect((await signIn(gina)).status).toBe(401);
    await slapd.resume();

    expect((await signIn(gina)).status).toBe(200);
  });

  it('logged the outage, and never a password', () => {
    const passwords = [
      servicePassword,
      alice.password,
      bob.password,
      carol.password,
      gina.password,
    ];

    expect(logLines.some((line) => line.includes('failed to ask the ldap directory'))).toBe(true);
    for (const line of logLines) {
      for (const password of passwords) expect(line).not.toContain(password);
    }
  });
});
