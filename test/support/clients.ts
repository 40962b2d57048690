import { rm } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './server.js';
import { run, tool, type RunResult } from './tools.js';

/*
 * Thin wrappers over the real OCI clients. Every one of them talks plain HTTP to a registry on
 * loopback: skopeo, podman and buildah through their TLS-verify flags, crane on its own (it picks
 * HTTP for 127.0.0.1), oras with --plain-http, regctl through `registry set --tls disabled`.
 */

export const skopeo = (...args: string[]): Promise<RunResult> => run('skopeo', args);

export const crane = (...args: string[]): Promise<RunResult> => run(tool('crane'), args);

export const oras = (...args: string[]): Promise<RunResult> => run(tool('oras'), args);

/** oras in `dir`: it names pushed files by their path, which must be relative. */
export const orasIn = (dir: string, ...args: string[]): Promise<RunResult> =>
  run(tool('oras'), args, { cwd: dir });

/** regctl with a config file of its own, so `registry set` never touches ~/.regctl. */
export class Regctl {
  constructor(private readonly config: string) {}

  run(...args: string[]): Promise<RunResult> {
    return run(tool('regctl'), args, { env: { REGCTL_CONFIG: this.config } });
  }

  /** Plain HTTP to `host`; with `chunkBytes`, every blob goes up in PATCHes of that size. */
  async useRegistry(host: string, chunkBytes?: number): Promise<void> {
    const chunking =
      chunkBytes === undefined ? [] : ['--blob-chunk', String(chunkBytes), '--blob-max', '1'];
    await this.run('registry', 'set', '--tls', 'disabled', ...chunking, host);
  }
}

/**
 * A private containers-storage for podman and buildah: the vfs driver (no overlay, no Docker
 * engine needed) with its root, run root and temporary files in a temp dir, so the machine's
 * own /var/lib/containers store is never used.
 */
export class ContainersStore {
  readonly dir = tempDir('berth-containers-');
  private readonly root = path.join(this.dir, 'root');
  private readonly runroot = path.join(this.dir, 'run');
  private readonly env = { TMPDIR: this.dir };

  podman(...args: string[]): Promise<RunResult> {
    const global = [...this.storageFlags(), '--tmpdir', path.join(this.dir, 'libpod')];

    return run('podman', [...global, '--events-backend', 'none', ...args], { env: this.env });
  }

  buildah(...args: string[]): Promise<RunResult> {
    return run('buildah', [...this.storageFlags(), ...args], { env: this.env });
  }

  /**
   * Copies an image from an OCI layout into the store as `name`. `buildah pull oci:DIR:tag`
   * would name it after the layout path, which is no valid reference under ~/.cache.
   */
  async load(layoutReference: string, name: string): Promise<void> {
    const destination = `containers-storage:[vfs@${this.root}+${this.runroot}]${name}`;
    await run('skopeo', ['copy', '--quiet', layoutReference, destination], { env: this.env });
  }

  /** Creates a buildah container from a stored image and answers where its rootfs is. */
  async rootfs(image: string): Promise<string> {
    const container = (await this.buildah('from', '--pull=never', image)).stdout.trim();

    return (await this.buildah('mount', container)).stdout.trim();
  }

  /** Removes buildah's working containers, then the whole store. */
  async remove(): Promise<void> {
    await this.buildah('rm', '--all').catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private storageFlags(): string[] {
    return ['--storage-driver', 'vfs', '--root', this.root, '--runroot', this.runroot];
  }
}
