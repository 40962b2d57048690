import { z } from 'zod';
import { AuthError } from '../auth/index.js';
import type { MemberKind } from '../metadata/index.js';
import { route, type ApiRoute } from './route.js';
import * as s from './schemas.js';

const projectParams = z.object({ project: z.string().min(1).max(128) });
const memberParams = projectParams.extend({
  kind: s.memberKind,
  name: z.string().min(1).max(256),
});

export const projectRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/projects',
    operationId: 'listProjects',
    summary: 'Projects the caller can see: public ones and those they are a member of',
    tag: 'projects',
    query: s.pageQuery,
    status: 200,
    response: s.listOf(s.project),
    anonymous: true,
    async handler({ actor, auth, query }) {
      const offset = (query.page - 1) * query.pageSize;
      const listing = await auth.accounts.listProjects(actor, {
        search: query.search,
        offset,
        limit: query.pageSize,
      });
      return {
        ...listing,
        items: listing.items.map(s.projectOut),
        page: query.page,
        pageSize: query.pageSize,
      };
    },
  }),
  route({
    method: 'POST',
    path: '/projects',
    operationId: 'createProject',
    summary: 'Create a project; the creator becomes its project admin',
    tag: 'projects',
    body: s.projectCreate,
    status: 201,
    response: s.project,
    async handler({ actor, auth, body }) {
      return s.projectOut(await auth.accounts.createProject(actor, body));
    },
  }),
  route({
    method: 'GET',
    path: '/projects/{project}',
    operationId: 'getProject',
    summary: 'One project, with what the caller may do in it',
    tag: 'projects',
    params: projectParams,
    status: 200,
    response: s.projectDetail,
    anonymous: true,
    async handler({ actor, auth, params }) {
      const { project, permissions } = await auth.accounts.getProject(actor, params.project);
      return { ...s.projectOut(project), permissions };
    },
  }),
  route({
    method: 'PATCH',
    path: '/projects/{project}',
    operationId: 'updateProject',
    summary: 'Change whether a project is public, and its labels',
    tag: 'projects',
    params: projectParams,
    body: s.projectUpdate,
    status: 200,
    response: s.project,
    async handler({ actor, auth, params, body }) {
      return s.projectOut(await auth.accounts.updateProject(actor, params.project, body));
    },
  }),
  route({
    method: 'DELETE',
    path: '/projects/{project}',
    operationId: 'deleteProject',
    summary: 'Delete a project with its repositories, members and robots',
    tag: 'projects',
    params: projectParams,
    status: 204,
    async handler({ actor, auth, params }) {
      await auth.accounts.deleteProject(actor, params.project);
    },
  }),
  route({
    method: 'GET',
    path: '/projects/{project}/quota',
    operationId: 'getProjectQuota',
    summary: "A project's storage limit and usage",
    tag: 'projects',
    params: projectParams,
    status: 200,
    response: s.quota,
    async handler({ actor, auth, params }) {
      return auth.quotas.describe(actor, auth.accounts, params.project);
    },
  }),
  route({
    method: 'PUT',
    path: '/projects/{project}/quota',
    operationId: 'setProjectQuota',
    summary: "Set a project's storage limit (system administrators)",
    tag: 'projects',
    params: projectParams,
    body: s.quotaUpdate,
    status: 200,
    response: s.quota,
    async handler({ actor, auth, params, body }) {
      await auth.accounts.updateProject(actor, params.project, {
        quotaBytes: body.limitBytes,
        quotaWarning: body.warning,
      });
      return auth.quotas.describe(actor, auth.accounts, params.project);
    },
  }),
  route({
    method: 'GET',
    path: '/projects/{project}/members',
    operationId: 'listMembers',
    summary: 'Users and groups with a role in the project',
    tag: 'members',
    params: projectParams,
    status: 200,
    response: z.array(s.member),
    async handler({ actor, auth, params }) {
      return (await auth.accounts.listMembers(actor, params.project)).map(s.memberOut);
    },
  }),
  route({
    method: 'PUT',
    path: '/projects/{project}/members/{kind}/{name}',
    operationId: 'putMember',
    summary: 'Give a user or group a role in the project (replacing any previous role)',
    tag: 'members',
    params: memberParams,
    body: s.memberPut,
    status: 200,
    response: s.member,
    async handler({ actor, auth, params, body }) {
      const member = await auth.accounts.putMember(actor, params.project, {
        kind: params.kind as MemberKind,
        name: params.name,
        role: body.role,
      });
      return s.memberOut(member);
    },
  }),
  route({
    method: 'DELETE',
    path: '/projects/{project}/members/{kind}/{name}',
    operationId: 'deleteMember',
    summary: "Remove a user's or group's role in the project",
    tag: 'members',
    params: memberParams,
    status: 204,
    async handler({ actor, auth, params }) {
      await auth.accounts.deleteMember(
        actor,
        params.project,
        params.kind as MemberKind,
        params.name,
      );
    },
  }),
  route({
    method: 'GET',
    path: '/projects/{project}/robots',
    operationId: 'listProjectRobots',
    summary: "The project's robot accounts",
    tag: 'robots',
    params: projectParams,
    status: 200,
    response: z.array(s.robot),
    async handler({ actor, auth, params }) {
      const robots = await auth.accounts.listRobots(actor, params.project);
      return robots.map((r) => s.robotOut(r, params.project));
    },
  }),
  route({
    method: 'POST',
    path: '/projects/{project}/robots',
    operationId: 'createProjectRobot',
    summary: 'Create a robot account of the project; its secret is in this response only',
    tag: 'robots',
    params: projectParams,
    body: s.projectRobotCreate,
    status: 201,
    response: s.robotCreated,
    async handler({ actor, auth, params, body }) {
      const { robot, secret } = await auth.accounts.createRobot(actor, {
        ...body,
        project: params.project,
        grants: body.grants.map((g) => ({ ...g, project: g.project ?? params.project })),
        expiresAt: timeOrNull(body.expiresAt),
      });
      return { robot: s.robotOut(robot, params.project), secret };
    },
  }),
  route({
    method: 'GET',
    path: '/projects/{project}/audit',
    operationId: 'listProjectAuditEvents',
    summary: "The project's audit events, newest first",
    tag: 'audit',
    params: projectParams,
    query: s.auditQuery,
    status: 200,
    response: s.auditPage,
    async handler({ actor, auth, params, query }) {
      await auth.accounts.requireProject(actor, params.project, 'read-audit');
      const items = await auth.audit.query({ ...auditFilter(query), project: params.project });
      return auditPage(items, query.limit);
    },
  }),
];

export function timeOrNull(value: string | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  return Date.parse(value);
}

export function auditFilter(query: z.output<typeof s.auditQuery>) {
  if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to)) {
    throw new AuthError('invalid', '`from` is after `to`');
  }
  return {
    from: query.from ? Date.parse(query.from) : undefined,
    to: query.to ? Date.parse(query.to) : undefined,
    actor: query.actor,
    action: query.action,
    before: query.before,
    limit: query.limit,
  };
}

export function auditPage(
  items: Awaited<ReturnType<import('../auth/index.js').AuditLog['query']>>,
  limit: number,
) {
  return {
    items: items.map(s.auditOut),
    next: items.length === limit ? (items.at(-1)?.id ?? null) : null,
  };
}
