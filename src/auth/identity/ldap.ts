import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  Client,
  Filter,
  InvalidCredentialsError,
  SizeLimitExceededError,
  type Entry,
} from 'ldapts';
import type { Logger } from 'pino';
import {
  SourceUnavailableError,
  type ExternalIdentity,
  type PasswordSource,
} from '../authenticator.js';
import { checkUserName } from '../validation.js';

/** A credential from the configuration: shown nowhere, revealed only where it is used. */
export interface SecretValue {
  reveal(): string;
}

export interface LdapSettings {
  url: string;
  startTls: boolean;
  /** PEM file of the CA that signed the directory's certificate, if not a public one. */
  tlsCaFile?: string;
  tlsVerify: boolean;
  /** The service account that searches for users; anonymous searches without it. */
  bindDn?: string;
  bindPassword?: SecretValue;
  userBase: string;
  /** Finds the user: `{username}` is replaced by the escaped name typed at sign-in. */
  userFilter: string;
  usernameAttribute: string;
  emailAttribute: string;
  displayNameAttribute: string;
  /** Where groups are searched with `groupFilter`; no group search without it. */
  groupBase?: string;
  /** Finds the user's groups: `{dn}` and `{username}` are replaced by escaped values. */
  groupFilter: string;
  groupNameAttribute: string;
  /** A user attribute listing the DNs of the user's groups (memberOf), if the directory has one. */
  memberOfAttribute?: string;
  adminGroup?: string;
  timeout: number;
}

/** More than this many groups for one user is a misconfigured filter, not a person. */
const maxGroups = 1000;
const maxLoginLength = 256;

/**
 * Checks passwords against an LDAP directory: finds the user's entry by a filter (as the service
 * account, or anonymously), binds as that entry with the password, then reads the user's groups
 * from a group search, a memberOf attribute, or both. Every value put into a filter is escaped
 * (RFC 4515), and passwords never reach a log line.
 */
export class LdapSource implements PasswordSource {
  readonly name = 'ldap';
  private readonly tls: ConnectionOptions;

  constructor(
    private readonly settings: LdapSettings,
    private readonly logger: Logger,
  ) {
    this.tls = tlsOptions(settings);
  }

  async authenticate(login: string, password: string): Promise<ExternalIdentity | undefined> {
    // An empty password is an "unauthenticated bind" (RFC 4513 5.1.2), which many directories
    // accept for any name: it must never count as a correct password.
    if (password.length === 0 || login.length === 0 || login.length > maxLoginLength) {
      return undefined;
    }

    const client = new Client({
      url: this.settings.url,
      timeout: this.settings.timeout,
      connectTimeout: this.settings.timeout,
      // ldapts speaks TLS from the first byte whenever it is given TLS options.
      tlsOptions: this.settings.url.startsWith('ldaps:') ? this.tls : undefined,
    });
    try {
      await this.open(client);
      const entry = await this.findUser(client, login);
      if (!entry || !(await this.passwordMatches(client, entry.dn, password))) return undefined;
      const username = this.usernameOf(entry);
      if (!username) return undefined;

      await this.bindService(client);
      const groups = await this.groupsOf(client, entry, username);
      return this.identityOf(entry, username, groups);
    } catch (err) {
      this.logger.warn(
        { url: this.settings.url, reason: (err as Error).message },
        'failed to ask the ldap directory',
      );
      throw new SourceUnavailableError('ldap');
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private async open(client: Client): Promise<void> {
    // A copy: ldapts keeps the socket it upgrades in the options it is given.
    if (this.settings.startTls) await client.startTLS({ ...this.tls });
    await this.bindService(client);
  }

  /**
   * Searches run as the service account when there is one. Without one, the user search is
   * anonymous and the group search runs as the user, whose bind it follows.
   */
  private async bindService(client: Client): Promise<void> {
    const { bindDn, bindPassword } = this.settings;
    if (bindDn && bindPassword) await client.bind(bindDn, bindPassword.reveal());
  }

  /** The one entry the filter finds; none, or several (an ambiguous filter), is no user. */
  private async findUser(client: Client, login: string): Promise<Entry | undefined> {
    let entries: Entry[] = [];
    let several: boolean;
    try {
      ({ searchEntries: entries } = await client.search(this.settings.userBase, {
        scope: 'sub',
        filter: fillFilter(this.settings.userFilter, { username: login }),
        attributes: this.userAttributes(),
        sizeLimit: 2,
      }));
      several = entries.length > 1;
    } catch (err) {
      // More entries than the two asked for.
      if (!(err instanceof SizeLimitExceededError)) throw err;
      several = true;
    }

    if (several) this.logger.warn('ldap user filter matched several entries');
    return several ? undefined : entries[0];
  }

  private async passwordMatches(client: Client, dn: string, password: string): Promise<boolean> {
    try {
      await client.bind(dn, password);
      return true;
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return false;
      throw err;
    }
  }

  /** Group names from the group search and the memberOf attribute, without duplicates. */
  private async groupsOf(client: Client, entry: Entry, username: string): Promise<string[]> {
    const { groupBase, groupFilter, groupNameAttribute, memberOfAttribute } = this.settings;
    const groups = new Set<string>();

    if (memberOfAttribute) {
      for (const dn of values(entry, memberOfAttribute)) groups.add(firstRdnValue(dn));
    }
    if (groupBase) {
      const { searchEntries } = await client.search(groupBase, {
        scope: 'sub',
        filter: fillFilter(groupFilter, { dn: entry.dn, username }),
        attributes: [groupNameAttribute],
        sizeLimit: maxGroups,
      });
      for (const group of searchEntries) {
        for (const name of values(group, groupNameAttribute)) groups.add(name);
      }
    }

    return [...groups].filter((g) => g.length > 0 && g.length <= 256).sort();
  }

  /** The entry's own spelling of the name, which becomes the Berth account's name. */
  private usernameOf(entry: Entry): string | undefined {
    const username = values(entry, this.settings.usernameAttribute)[0];
    if (username && validUserName(username)) return username;

    this.logger.warn(
      { dn: entry.dn, attribute: this.settings.usernameAttribute },
      'ldap user has no name berth accepts',
    );
    return undefined;
  }

  private identityOf(entry: Entry, username: string, groups: string[]): ExternalIdentity {
    const settings = this.settings;

    return {
      username,
      email: values(entry, settings.emailAttribute)[0],
      displayName: values(entry, settings.displayNameAttribute)[0],
      groups,
      admin: settings.adminGroup === undefined ? undefined : groups.includes(settings.adminGroup),
    };
  }

  private userAttributes(): string[] {
    const { usernameAttribute, emailAttribute, displayNameAttribute, memberOfAttribute } =
      this.settings;
    const attributes = [usernameAttribute, emailAttribute, displayNameAttribute];

    return memberOfAttribute ? [...attributes, memberOfAttribute] : attributes;
  }
}

/** Replaces `{name}` placeholders with values escaped for a filter (RFC 4515 section 3). */
export function fillFilter(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = values[name];
    return value === undefined ? placeholder : Filter.escape(value);
  });
}

/** `cn=devs,ou=groups,dc=example` → `devs`: a group's name from its DN (RFC 4514 escapes). */
export function firstRdnValue(dn: string): string {
  const raw = /^[^=]*=((?:\\.|[^,+\\])*)/s.exec(dn)?.[1];
  if (raw === undefined) return dn;

  // Escapes are `\,` for a special character or `\c3\a9` for the bytes of a UTF-8 character.
  const bytes: number[] = [];
  for (const [, hex, escaped, plain] of raw.matchAll(/\\([0-9a-fA-F]{2})|\\(.)|([^\\]+)/gs)) {
    if (hex) bytes.push(parseInt(hex, 16));
    else bytes.push(...Buffer.from(escaped ?? plain ?? ''));
  }
  return Buffer.from(bytes).toString('utf8').trim();
}

function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];

  return (Array.isArray(value) ? value : [value]).map((v) =>
    Buffer.isBuffer(v) ? v.toString('utf8') : v,
  );
}

function validUserName(name: string): boolean {
  try {
    checkUserName(name);
    return true;
  } catch {
    return false;
  }
}

function tlsOptions(settings: LdapSettings): ConnectionOptions {
  const host = new URL(settings.url.replace(/^ldaps?:/, 'http:')).hostname.replace(/^\[|\]$/g, '');

  return {
    ca: settings.tlsCaFile ? readCa(settings.tlsCaFile) : undefined,
    rejectUnauthorized: settings.tlsVerify,
    // StartTLS upgrades an open socket, so the name to check the certificate against is not
    // known to TLS unless given; SNI takes host names only.
    host,
    servername: isIP(host) ? undefined : host,
  };
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read auth.ldap.tlsCaFile ${file}: ${(err as Error).message}`);
  }
}
