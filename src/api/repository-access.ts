import { projectOf, type Actor, type Auth, type ProjectAction } from '../auth/index.js';
import { isDigest } from '../oci/digest.js';
import { RegistryError } from '../oci/errors.js';
import { isValidName, isValidTag } from '../oci/reference.js';
import type { Registry } from '../registry/index.js';

// How the repository endpoints find what a path names: the repository (after the permission
// check) and the digest an artifact reference stands for.

export interface OpenRepository {
  id: number;
  project: string;
}

/**
 * The repository, once the caller may do `action` in its project. The permission comes first,
 * so that a private project's repositories stay as unknown to outsiders as the project is.
 */
export async function openRepository(
  auth: Auth,
  registry: Registry,
  actor: Actor,
  name: string,
  action: ProjectAction,
): Promise<OpenRepository> {
  if (!isValidName(name)) throw new RegistryError('NAME_INVALID', 'invalid repository name');
  const project = projectOf(name);
  await auth.accounts.requireProject(actor, project, action, name);

  const id = await registry.meta.findRepository(name);
  if (id === undefined) throw notFound(`repository ${name} does not exist`);

  return { id, project };
}

export async function resolveReference(
  registry: Registry,
  repositoryId: number,
  params: { reference: string },
): Promise<string | undefined> {
  if (isDigest(params.reference)) return params.reference;
  if (!isValidTag(params.reference)) throw invalid('the reference is neither a digest nor a tag');

  return registry.meta.resolveTag(repositoryId, params.reference);
}

export function notFound(message: string): RegistryError {
  return new RegistryError('NOT_FOUND', message);
}

export function invalid(message: string): RegistryError {
  return new RegistryError('INVALID_REQUEST', message);
}
