import { z } from 'zod';
import { route, type ApiRoute } from './route.js';
import * as s from './schemas.js';

const userParams = z.object({ username: z.string().min(1).max(128) });

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
