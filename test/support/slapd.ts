/**
 * A real OpenLDAP server for tests: Debian's `slapd` (scripts/install-test-tools.sh installs it)
 * run as a child process on a free loopback port, with a configuration and database made for
 * the test in a temporary directory. The entries of `ldif` are loaded offline with slapadd;
 * `add` loads more through the running server (ldapadd), so that overlays such as memberof
 * see them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import path from 'node:path';
import { run } from './tools.js';
import { tempDir } from './server.js';

const slapdBinary = '/usr/sbin/slapd';
const schemaDir = '/etc/ldap/schema';
const moduleDir = '/usr/lib/ldap';

export interface SlapdOptions {
  suffix: string;
  /** The directory manager's password (rootdn `cn=admin,SUFFIX`). */
  rootPassword: string;
  /** Entries loaded before the server starts, the suffix entry included. */
  ldif: string;
  /** Access rules (slapd.conf `access` lines); everything may read everything by default. */
  access?: string[];
  /**
   * Serve TLS too: StartTLS on the ldap:// port, and an ldaps:// port, with a certificate for
   * 127.0.0.1 signed by a CA made for the test (`caFile`).
   */
  tls?: boolean;
}

export class Slapd {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly options: SlapdOptions,
    private readonly dir: string,
    readonly port: number,
    readonly tlsPort: number | undefined,
  ) {}

  /** Builds the configuration and database, then starts the server and waits for it. */
  static async start(options: SlapdOptions): Promise<Slapd> {
    if (!existsSync(slapdBinary)) {
      throw new Error(`${slapdBinary} is missing: run scripts/install-test-tools.sh as root`);
    }

    const dir = tempDir('berth-slapd-');
    mkdirSync(path.join(dir, 'db'));
    const slapd = new Slapd(
      options,
      dir,
      await freePort(),
      options.tls ? await freePort() : undefined,
    );
    if (options.tls) await makeCertificates(dir);
    writeFileSync(slapd.configFile, slapd.config());
    writeFileSync(path.join(dir, 'base.ldif'), options.ldif);
    await run('/usr/sbin/slapadd', ['-f', slapd.configFile, '-l', path.join(dir, 'base.ldif')]);

    await slapd.resume();
    return slapd;
  }

  get url(): string {
    return `ldap://127.0.0.1:${this.port}`;
  }

  get ldapsUrl(): string {
    if (this.tlsPort === undefined) throw new Error('this slapd was started without tls');
    return `ldaps://127.0.0.1:${this.tlsPort}`;
  }

  /** The CA that signed the server's certificate, when started with `tls`. */
  get caFile(): string {
    return path.join(this.dir, 'ca.pem');
  }

  get rootDn(): string {
    return `cn=admin,${this.options.suffix}`;
  }

  /** Adds entries through the running server, as the directory manager. */
  async add(ldif: string): Promise<void> {
    await run(
      'ldapadd',
      ['-x', '-H', this.url, '-D', this.rootDn, '-w', this.options.rootPassword],
      { input: ldif },
    );
  }

  /** Starts the server (again, after `stop`) on the same port with the same data. */
  async resume(): Promise<void> {
    this.output = '';
    // -d 0: stay in the foreground, so the test owns the process; logging goes to stderr.
    const urls = this.tlsPort === undefined ? `${this.url}/` : `${this.url}/ ${this.ldapsUrl}/`;
    const child = spawn(slapdBinary, ['-f', this.configFile, '-h', urls, '-d', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
    // A test run that ends without stopping it must not leave the server behind.
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    child.once('exit', () => process.off('exit', kill));

    await this.waitUntilListening(child);
  }

  /** Stops the server, as an outage would; `resume` brings it back. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  private get configFile(): string {
    return path.join(this.dir, 'slapd.conf');
  }

  private config(): string {
    const { suffix, rootPassword, access = ['access to * by * read'] } = this.options;
    return [
      ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include ${schemaDir}/${s}.schema`),
      ...(this.options.tls
        ? [
            `TLSCACertificateFile ${this.caFile}`,
            `TLSCertificateFile ${path.join(this.dir, 'server.pem')}`,
            `TLSCertificateKeyFile ${path.join(this.dir, 'server.key')}`,
          ]
        : []),
      // Like many directories, take a DN without a password as an anonymous bind, so that tests
      // show Berth refusing empty passwords itself.
      'allow bind_anon_dn',
      `modulepath ${moduleDir}`,
      'moduleload back_mdb',
      'moduleload memberof',
      `pidfile ${path.join(this.dir, 'slapd.pid')}`,
      'database mdb',
      `suffix "${suffix}"`,
      `rootdn "cn=admin,${suffix}"`,
      `rootpw ${rootPassword}`,
      `directory ${path.join(this.dir, 'db')}`,
      'maxsize 16777216',
      'overlay memberof',
      ...access,
      '',
    ].join('\n');
  }

  private async waitUntilListening(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`slapd exited with ${child.exitCode}:\n${this.output}`);
      }
      if (await accepts(this.port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    child.kill('SIGKILL');
    throw new Error(`slapd did not listen on ${this.port} within 15s:\n${this.output}`);
  }
}

/** A CA, and a certificate for 127.0.0.1 and localhost that it signed, valid for a day. */
async function makeCertificates(dir: string): Promise<void> {
  const openssl = (args: string) => run('openssl', args.split(' '), { cwd: dir });
  const newKey = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  writeFileSync(path.join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');

  await openssl(`req -x509 ${newKey} -keyout ca.key -out ca.pem -days 1 -subj /CN=berth-test-ca`);
  await openssl(`req ${newKey} -keyout server.key -out server.csr -subj /CN=127.0.0.1`);
  await openssl(
    'x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem ' +
      '-days 1 -extfile san.cnf',
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A port nothing listens on right now (the kernel's choice for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
