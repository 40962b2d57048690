import { z } from 'zod';
import { route, type ApiRoute } from './route.js';
import * as s from './schemas.js';

const userParams = z.object({ username: z.string().min(1).max(128) });

const cliSecret = z.object({
  username: z.string(),
  secret: z.string().describe('the Basic password for registry clients; shown only this once'),
});

const signInMethods = z.object({
  password: z.boolean().describe('accounts sign in with a password (local ones, LDAP ones)'),
  ldap: z.boolean().describe('passwords are also checked against an LDAP directory'),
  oidc: z
    .object({
      label: z.string().describe('text for the sign-in button'),
      loginUrl: z.string().describe('open in the browser, adding ?return_to=/path'),
    })
    .nullable()
    .describe('browser sign-in through an OpenID Connect provider, when offered'),
});

export const userRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/users',
    operationId: 'listUsers',
    summary: 'Accounts (system administrators)',
    tag: 'users',
    query: s.pageQuery,
    status: 200,
    response: s.listOf(s.user),
    async handler({ actor, auth, query }) {
      const listing = await auth.accounts.listUsers(actor, {
        search: query.search,
        offset: (query.page - 1) * query.pageSize,
        limit: query.pageSize,
      });
      return {
        ...listing,
        items: listing.items.map(s.userOut),
        page: query.page,
        pageSize: query.pageSize,
      };
    },
  }),
  route({
    method: 'POST',
    path: '/users',
    operationId: 'createUser',
    summary: 'Create a local account (system administrators)',
    tag: 'users',
    body: s.userCreate,
    status: 201,
    response: s.user,
    async handler({ actor, auth, body }) {
      return s.userOut(await auth.accounts.createUser(actor, body));
    },
  }),
  route({
    method: 'GET',
    path: '/users/{username}',
    operationId: 'getUser',
    summary: 'One account (administrators, or the account itself)',
    tag: 'users',
    params: userParams,
    status: 200,
    response: s.user,
    async handler({ actor, auth, params }) {
      return s.userOut(await auth.accounts.getUser(actor, params.username));
    },
  }),
  route({
    method: 'PATCH',
    path: '/users/{username}',
    operationId: 'updateUser',
    summary: 'Change e-mail and display name (self), admin and disabled flags (administrators)',
    tag: 'users',
    params: userParams,
    body: s.userUpdate,
    status: 200,
    response: s.user,
    async handler({ actor, auth, params, body }) {
      return s.userOut(await auth.accounts.updateUser(actor, params.username, body));
    },
  }),
  route({
    method: 'DELETE',
    path: '/users/{username}',
    operationId: 'deleteUser',
    summary: 'Delete an account and its memberships (system administrators)',
    tag: 'users',
    params: userParams,
    status: 204,
    async handler({ actor, auth, params }) {
      await auth.accounts.deleteUser(actor, params.username);
    },
  }),
  route({
    method: 'POST',
    path: '/users/me/cli-secret',
    operationId: 'regenerateCliSecret',
    summary:
      'A new CLI secret for the calling OIDC user, for docker/podman login; the old one and ' +
      'earlier refresh tokens stop working',
    tag: 'users',
    status: 200,
    response: cliSecret,
    async handler({ actor, auth }) {
      return auth.accounts.regenerateCliSecret(actor);
    },
  }),
  route({
    method: 'GET',
    path: '/sign-in-methods',
    operationId: 'getSignInMethods',
    summary: 'How people may sign in, for a sign-in page (anyone)',
    tag: 'users',
    status: 200,
    response: signInMethods,
    anonymous: true,
    async handler({ auth }) {
      const oidc = auth.oidc && {
        label: auth.oidc.settings.buttonLabel,
        loginUrl: '/auth/oidc/login',
      };
      return {
        password: true,
        ldap: auth.sources.some((source) => source.name === 'ldap'),
        oidc: oidc ?? null,
      };
    },
  }),
  route({
    method: 'PUT',
    path: '/users/{username}/password',
    operationId: 'setPassword',
    summary: 'Set a password: administrators for anyone, users for themselves with the current one',
    tag: 'users',
    params: userParams,
    body: s.passwordChange,
    status: 204,
    async handler({ actor, auth, params, body }) {
      await auth.accounts.setPassword(actor, params.username, body.password, body.currentPassword);
    },
  }),
];
