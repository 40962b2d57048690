/**
 * A real OpenID Connect provider for tests (the `oidc-provider` package, certified by the OpenID
 * Foundation) on a free loopback port, with a fixed list of people and one client; and a small
 * browser that keeps cookies and follows redirects one at a time, so that a test sees, and may
 * tamper with, every step of a sign-in.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

export interface TestPerson {
  /** The provider's stable id of the person. */
  sub: string;
  username: string;
  password: string;
  email?: string;
  name?: string;
  groups: string[];
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** Scopes the provider knows, and the claims each one releases. */
const claimsByScope = {
  openid: ['sub'],
  profile: ['preferred_username', 'name'],
  email: ['email'],
  groups: ['groups'],
};

/**
 * The provider runs in the test process. Its sign-in page is a plain form checked against the
 * people given; Berth is a first-party client, so there is no consent page.
 */
export class TestOidcProvider {
  private handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  private provider: Provider | undefined;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    readonly people: TestPerson[],
  ) {}

  /** Listens at once, so that the issuer URL is known before Berth starts. */
  static async start(people: TestPerson[]): Promise<TestOidcProvider> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const instance = new TestOidcProvider(server, `http://127.0.0.1:${port}`, people);

    server.on('request', (req, res) => instance.handle(req, res));
    return instance;
  }

  /** Registers Berth as the client, once its callback URL is known; PKCE is required. */
  register(client: TestClient): void {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const people = this.people;

    this.provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: client.clientId,
          client_secret: client.clientSecret,
          redirect_uris: [client.redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig' }] },
      cookies: { keys: [randomBytes(32).toString('hex')] },
      claims: claimsByScope,
      pkce: { required: () => true },
      ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
      features: { devInteractions: { enabled: false } },
      interactions: {
        url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
      },
      loadExistingGrant: firstPartyGrant,
      async findAccount(_ctx: unknown, sub: string) {
        const person = people.find((p) => p.sub === sub);
        if (!person) return undefined;

        return {
          accountId: sub,
          async claims() {
            return {
              sub,
              preferred_username: person.username,
              name: person.name,
              email: person.email,
              groups: person.groups,
            };
          },
        };
      },
    });
    this.handler = this.provider.callback();
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (!this.provider || !this.handler) {
      res.writeHead(503).end('no client registered yet');
      return;
    }
    if (!req.url?.startsWith('/interaction/')) {
      this.handler(req, res);
      return;
    }

    this.interaction(this.provider, req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  }

  /** The sign-in page: a form on GET; on POST, the person whose name and password match. */
  private async interaction(
    provider: Provider,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const { uid, prompt } = await provider.interactionDetails(req, res);
    if (prompt.name !== 'login') throw new Error(`unexpected prompt ${prompt.name}`);
    if (req.method !== 'POST') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(loginPage(uid, ''));
      return;
    }

    const form = new URLSearchParams(await bodyOf(req));
    const person = this.people.find(
      (p) => p.username === form.get('login') && p.password === form.get('password'),
    );
    if (!person) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(loginPage(uid, 'wrong password'));
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: person.sub } },
      { mergeWithLastSubmission: false },
    );
  }
}

/** A first-party client is granted what it asks for without a consent page. */
async function firstPartyGrant(ctx: KoaContextWithOIDC) {
  const { client, session, params, result, provider } = ctx.oidc;
  const existing = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  if (existing) return provider.Grant.find(existing);

  const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(String(params.scope ?? 'openid'));
  await grant.save();
  return grant;
}

/**
 * The provider's sign-in form, as a person sees it in a browser: labelled fields (`login`,
 * `password`) and a message after a failed attempt.
 */
function loginPage(uid: string, message: string): string {
  const alert = message ? `<p role="alert">${message}</p>` : '';
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>' +
    `<body><main><h1>Test provider</h1>${alert}` +
    `<form method="post" action="/interaction/${uid}">` +
    '<p><label for="login">Username</label> ' +
    '<input id="login" name="login" autocomplete="username"></p>' +
    '<p><label for="password">Password</label> ' +
    '<input id="password" name="password" type="password" autocomplete="current-password"></p>' +
    '<button>Sign in</button></form></main></body></html>'
  );
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export interface Visit {
  /** The last URL requested. */
  url: string;
  response: Response;
  /** The redirect target where `follow` stopped, if it stopped at one. */
  location?: string;
}

interface Cookie {
  value: string;
  path: string;
}

/**
 * What the tests need of a browser: cookies per name and path (sent to every port of the host,
 * as browsers do), and redirects followed one at a time.
 */
export class Browser {
  private readonly cookies = new Map<string, Cookie>();

  async request(url: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {};
    const cookie = this.cookieHeader(new URL(url).pathname);
    if (cookie) headers.cookie = cookie;
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';

    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) this.store(line, new URL(url).pathname);
    return response;
  }

  /**
   * Requests `url` and follows redirects until a page that is not one, or until `until` says
   * the next location is where the test takes over.
   */
  async follow(
    url: string,
    until: (location: string) => boolean = () => false,
    form?: Record<string, string>,
  ): Promise<Visit> {
    let current = url;
    let body = form;
    for (let hop = 0; hop < 20; hop++) {
      const response = await this.request(current, body);
      const target = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !target) {
        return { url: current, response };
      }

      await response.arrayBuffer();
      const next = new URL(target, current).href;
      if (until(next)) return { url: current, response, location: next };
      current = next;
      body = undefined;
    }

    throw new Error(`more than 20 redirects from ${url}`);
  }

  /** Submits the page's one form with the given fields, following redirects like `follow`. */
  async submit(
    page: Visit,
    fields: Record<string, string>,
    until?: (location: string) => boolean,
  ): Promise<Visit> {
    const html = await page.response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form at ${page.url}:\n${html.slice(0, 500)}`);

    return this.follow(new URL(action, page.url).href, until, fields);
  }

  cookie(name: string): string | undefined {
    return [...this.cookies.entries()].find(([key]) => key.startsWith(`${name}\n`))?.[1].value;
  }

  setCookie(name: string, value: string, path: string): void {
    this.cookies.set(`${name}\n${path}`, { value, path });
  }

  private store(line: string, requestPath: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const attribute = (key: string) =>
      attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);

    const path = attribute('path') ?? requestPath.replace(/\/[^/]*$/, '') ?? '/';
    const maxAge = attribute('max-age');
    const expires = attribute('expires');
    const gone =
      (maxAge !== undefined && Number(maxAge) <= 0) ||
      (expires !== undefined && Date.parse(expires) <= Date.now());

    if (gone) this.cookies.delete(`${name}\n${path}`);
    else this.setCookie(name, pair.slice(eq + 1), path || '/');
  }

  private cookieHeader(requestPath: string): string {
    return [...this.cookies.entries()]
      .filter(([, cookie]) => pathMatches(requestPath, cookie.path))
      .map(([key, cookie]) => `${key.split('\n')[0]}=${cookie.value}`)
      .join('; ');
  }
}

/** RFC 6265 section 5.1.4. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;

  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
