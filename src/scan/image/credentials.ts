import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImageSourceError } from './errors.js';

export interface Credentials {
  username: string;
  password: string;
}

interface AuthFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
}

/**
 * The auth file clients log in to: REGISTRY_AUTH_FILE (podman, skopeo, buildah), else
 * $DOCKER_CONFIG/config.json, else ~/.docker/config.json. Undefined when none exists.
 */
export function authFilePath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.REGISTRY_AUTH_FILE,
    env.DOCKER_CONFIG && path.join(env.DOCKER_CONFIG, 'config.json'),
    path.join(os.homedir(), '.docker', 'config.json'),
  ];

  return candidates.find((file): file is string => !!file && existsSync(file));
}

/**
 * The credentials an auth file holds for a registry host. Entries are keyed by host, by URL
 * (`https://host/v1/`) or, for Docker Hub, by `https://index.docker.io/v1/`. Credential
 * helpers (credsStore, credHelpers) and identity tokens are not consulted.
 */
export function credentialsFor(host: string, file: string | undefined): Credentials | undefined {
  if (!file) return undefined;

  const auths = readAuthFile(file).auths ?? {};
  const wanted = host === 'registry-1.docker.io' ? 'index.docker.io' : host;
  const entry = Object.entries(auths).find(([key]) => keyHost(key) === wanted)?.[1];
  if (!entry) return undefined;

  if (entry.username && entry.password)
    return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;

  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0)
    throw new ImageSourceError('unauthorized', `${file}: the entry for ${host} is malformed`);

  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function readAuthFile(file: string): AuthFile {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AuthFile;
  } catch (error) {
    throw new ImageSourceError(
      'unauthorized',
      `cannot read credentials from ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function keyHost(key: string): string {
  const host = key.replace(/^https?:\/\//, '').split('/')[0] ?? key;

  return host === 'docker.io' || host === 'registry-1.docker.io' ? 'index.docker.io' : host;
}
