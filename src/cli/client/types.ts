import type { z } from 'zod';
import type * as schemas from '../../api/schemas.js';

// The management API's shapes, taken from the schemas that validate its responses, so that the
// client's types follow the server's.

export type Project = z.output<typeof schemas.project>;
export type ProjectDetail = z.output<typeof schemas.projectDetail>;
export type Quota = z.output<typeof schemas.quota>;
export type Member = z.output<typeof schemas.member>;
export type MemberKind = z.output<typeof schemas.memberKind>;
export type User = z.output<typeof schemas.user>;
export type Robot = z.output<typeof schemas.robot>;
export type RobotGrant = z.input<typeof schemas.grant>;
export type RobotCreated = z.output<typeof schemas.robotCreated>;
export type Whoami = z.output<typeof schemas.whoami>;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
}
