import { z } from 'zod';
import type { Auth } from '../auth/index.js';
import type { RobotRecord } from '../metadata/index.js';
import { timeOrNull } from './projects.js';
import { route, type ApiRoute } from './route.js';
import * as s from './schemas.js';

const robotParams = z.object({ name: z.string().min(1).max(256) });

export const robotRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/robots',
    operationId: 'listSystemRobots',
    summary: 'System robot accounts (system administrators)',
    tag: 'robots',
    status: 200,
    response: z.array(s.robot),
    async handler({ actor, auth }) {
      return (await auth.accounts.listRobots(actor, undefined)).map((r) => s.robotOut(r, null));
    },
  }),
  route({
    method: 'POST',
    path: '/robots',
    operationId: 'createSystemRobot',
    summary:
      'Create a system robot, with grants in any projects; its secret is in this response only',
    tag: 'robots',
    body: s.robotCreate,
    status: 201,
    response: s.robotCreated,
    async handler({ actor, auth, body }) {
      const { robot, secret } = await auth.accounts.createRobot(actor, {
        ...body,
        expiresAt: timeOrNull(body.expiresAt),
      });
      return { robot: s.robotOut(robot, null), secret };
    },
  }),
  route({
    method: 'GET',
    path: '/robots/{name}',
    operationId: 'getRobot',
    summary: 'One robot account, by its full name (robot$… )',
    tag: 'robots',
    params: robotParams,
    status: 200,
    response: s.robot,
    async handler({ actor, auth, params }) {
      return robotOut(auth, await auth.accounts.getRobot(actor, params.name));
    },
  }),
  route({
    method: 'PATCH',
    path: '/robots/{name}',
    operationId: 'updateRobot',
    summary: "Change a robot's description, grants, expiry, or disable it",
    tag: 'robots',
    params: robotParams,
    body: s.robotUpdate,
    status: 200,
    response: s.robot,
    async handler({ actor, auth, params, body }) {
      const robot = await auth.accounts.updateRobot(actor, params.name, {
        ...body,
        expiresAt: timeOrNull(body.expiresAt),
      });
      return robotOut(auth, robot);
    },
  }),
  route({
    method: 'POST',
    path: '/robots/{name}/secret',
    operationId: 'rotateRobotSecret',
    summary: 'Replace a robot secret; the old one stops working at once',
    tag: 'robots',
    params: robotParams,
    status: 200,
    response: z.object({ secret: z.string() }),
    async handler({ actor, auth, params }) {
      return { secret: await auth.accounts.rotateRobotSecret(actor, params.name) };
    },
  }),
  route({
    method: 'DELETE',
    path: '/robots/{name}',
    operationId: 'deleteRobot',
    summary: 'Delete a robot account',
    tag: 'robots',
    params: robotParams,
    status: 204,
    async handler({ actor, auth, params }) {
      await auth.accounts.deleteRobot(actor, params.name);
    },
  }),
];

async function robotOut(auth: Auth, robot: RobotRecord) {
  const project =
    robot.projectId === null ? null : await auth.accounts.projectNameOf(robot.projectId);
  return s.robotOut(robot, project);
}
