import type { FastifyRequest } from 'fastify';
import {
  parseAuthorization,
  principalName,
  projectOf,
  isSystemAdmin,
  tokenRealm,
  type Auth,
  type Principal,
  type ProjectAction,
  type RegistryNeed,
} from '../auth/index.js';
import { isDigest } from '../oci/digest.js';
import { RegistryError } from '../oci/errors.js';
import type { MatchedRoute } from './routes.js';

/** How a request ended: done, failed after admission, or refused at the door. */
export type AccessResult = 'success' | 'failure' | 'denied';

/** Who a registry request acts as, and what that lets the handlers do on its behalf. */
export interface Visitor {
  /** For the request log and the audit log. */
  name: string;
  principal?: Principal;
  /** Whether this visitor may read `repository`: a mount from it is allowed. */
  canPull(repository: string): Promise<boolean>;
  /** Projects whose repositories the catalog lists; undefined for all. */
  catalogProjects(): Promise<string[] | undefined>;
}

/** Decides whether a request may proceed and who it acts as. */
export interface RegistryAccess {
  admit(request: FastifyRequest, route: MatchedRoute): Promise<Visitor>;
  /** Records a push, delete or (if configured) pull in the audit log. */
  record(
    request: FastifyRequest,
    route: MatchedRoute,
    visitor: Visitor | undefined,
    result: AccessResult,
  ): void;
}

/** With authentication off, everyone may do everything, as on a registry without auth. */
export const openAccess: RegistryAccess = {
  admit: async () => openVisitor,
  record: () => undefined,
};

const openVisitor: Visitor = {
  name: 'anonymous',
  canPull: async () => true,
  catalogProjects: async () => undefined,
};

export interface AuthorizedAccessOptions {
  /** The token endpoint URL to announce, when configured; otherwise derived from the request. */
  realm?: string;
  tls: boolean;
}

/** Registry access through Berth's accounts, permissions and tokens. */
export function authorizedAccess(auth: Auth, options: AuthorizedAccessOptions): RegistryAccess {
  return {
    async admit(request, route) {
      try {
        const authenticated = await auth.gate.check({
          authorization: request.headers.authorization,
          remoteAddr: request.ip,
          realm: options.realm ?? tokenRealm(request.headers.host, options.tls),
          need: needOf(request.method, route),
        });
        return visitorFor(auth, authenticated.principal);
      } catch (err) {
        await nameRefusedVisitor(auth, request, err);
        throw err;
      }
    },

    record(request, route, visitor, result) {
      const action = auditedAction(request.method, route, auth.audit.options.pulls);
      if (!action || !route.name) return;

      auth.audit.record(visitor?.principal ?? 'anonymous', {
        action,
        project: projectOf(route.name),
        resource: `${route.name}${isDigest(route.reference ?? '') ? '@' : ':'}${route.reference ?? ''}`,
        result,
        remoteAddr: request.ip,
      });
    },
  };
}

/**
 * A signed-in caller refused for lack of rights (403) is still someone: name them on the request
 * so that the audit log and the request log say who was refused. Their credentials were just
 * checked, so this second look is served from the authenticator's cache.
 */
async function nameRefusedVisitor(
  auth: Auth,
  request: FastifyRequest,
  err: unknown,
): Promise<void> {
  if (!(err instanceof RegistryError) || err.code !== 'DENIED') return;

  const credentials = parseAuthorization(request.headers.authorization);
  const { principal } = await auth.authenticator.fromCredentials(credentials, request.ip);
  request.visitor = visitorFor(auth, principal);
}

function visitorFor(auth: Auth, principal: Principal): Visitor {
  return {
    name: principalName(principal),
    principal,
    canPull: (repository) => auth.gate.canPull(principal, repository),
    async catalogProjects() {
      if (isSystemAdmin(principal)) return undefined;
      const { items } = await auth.accounts.listProjects(
        { principal },
        { offset: 0, limit: 100_000, action: 'pull' },
      );
      const names: string[] = [];
      for (const project of items) {
        if (await auth.access.can(principal, 'pull', project.name)) names.push(project.name);
      }
      return names;
    },
  };
}

/** What each endpoint needs (distribution spec v1.1 endpoints; token scopes pull, push, delete). */
export function needOf(method: string, route: MatchedRoute): RegistryNeed {
  if (route.kind === 'base') return { kind: 'signed-in' };
  if (route.kind === 'catalog') return { kind: 'catalog' };

  return { kind: 'repository', repository: route.name as string, action: actionOf(method, route) };
}

function actionOf(method: string, route: MatchedRoute): ProjectAction {
  if (method === 'DELETE' && route.kind === 'manifest') {
    return isDigest(route.reference ?? '') ? 'delete-artifact' : 'delete-tag';
  }
  if (method === 'DELETE' && route.kind === 'blob') return 'delete-artifact';
  if (route.kind === 'upload' || route.kind === 'uploads' || method === 'PUT') return 'push';

  return 'pull';
}

function auditedAction(method: string, route: MatchedRoute, pulls: boolean): string | undefined {
  if (route.kind === 'manifest' && method === 'PUT') return 'artifact.push';
  if (route.kind === 'manifest' && method === 'DELETE') {
    return isDigest(route.reference ?? '') ? 'artifact.delete' : 'tag.delete';
  }
  if (route.kind === 'blob' && method === 'DELETE') return 'blob.delete';
  if (pulls && route.kind === 'manifest' && method === 'GET') return 'artifact.pull';

  return undefined;
}
