#!/usr/bin/env node
// Makes a checkout runnable: installs npm dependencies when package-lock.json changed since the
// last install, compiles src/ when any source is newer than the last build, and builds the
// portal (portal/ to portal/dist) when any of its sources is newer than its last build. Cheap
// when nothing changed, so `npm start` and `npm test` call it every time.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function step(message, command, args) {
  process.stderr.write(`bootstrap: ${message}\n`);
  execFileSync(command, args, { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
}

function ensureDependencies() {
  const lock = readFileSync(path.join(root, 'package-lock.json'));
  const hash = createHash('sha256').update(lock).digest('hex');
  const stamp = path.join(root, 'node_modules', '.berth-lock-hash');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;

  step('installing npm dependencies (npm ci)', npm, ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, hash);
}

function newestMtime(dir, skip = new Set()) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function ensureBuild() {
  const stamp = path.join(root, 'dist', '.build-stamp');
  const inputs = Math.max(
    newestMtime(path.join(root, 'src')),
    statSync(path.join(root, 'tsconfig.json')).mtimeMs,
    statSync(path.join(root, 'tsconfig.build.json')).mtimeMs,
    statSync(path.join(root, 'package-lock.json')).mtimeMs,
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= inputs) return;

  step('compiling TypeScript (npm run build:server)', npm, ['run', '--silent', 'build:server']);
  writeFileSync(stamp, new Date().toISOString());
}

/**
 * The portal has its own stamp. Of src/ it bundles only the role list (src/auth/permissions.ts);
 * the API types it imports vanish at compile time, so other changes to src/ do not rebuild it.
 */
function ensurePortal() {
  const portal = path.join(root, 'portal');
  const stamp = path.join(portal, 'dist', '.build-stamp');
  const inputs = Math.max(
    newestMtime(portal, new Set(['dist'])),
    statSync(path.join(root, 'package-lock.json')).mtimeMs,
    statSync(path.join(root, 'src', 'auth', 'permissions.ts')).mtimeMs,
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= inputs) return;

  step('building the portal (npm run build:portal)', npm, ['run', '--silent', 'build:portal']);
  writeFileSync(stamp, new Date().toISOString());
}

ensureDependencies();
ensureBuild();
ensurePortal();
