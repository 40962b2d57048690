import type { IdentitySource, RobotGrant } from '../metadata/index.js';

/** Who is making a request, once their credentials have been checked. */
export type Principal = AnonymousPrincipal | UserPrincipal | RobotPrincipal;

export interface AnonymousPrincipal {
  kind: 'anonymous';
}

export interface UserPrincipal {
  kind: 'user';
  /** The account's row: a token names it, so a new account of the same name is not its owner. */
  id: number;
  /** Tokens issued before this instant (ms) are refused: password change, disable. */
  tokensValidAfter: number;
  name: string;
  admin: boolean;
  /** Group names from the identity source; memberships may name them. */
  groups: string[];
  source: IdentitySource;
}

export interface RobotPrincipal {
  kind: 'robot';
  id: number;
  /** Tokens issued before this instant (ms) are refused: secret rotation, disable. */
  tokensValidAfter: number;
  name: string;
  /** The project a project robot belongs to; null for system robots. */
  projectId: number | null;
  grants: RobotGrant[];
  /** When the robot stops working (ms since the epoch); null for never. */
  expiresAt: number | null;
}

export const anonymous: AnonymousPrincipal = { kind: 'anonymous' };

/** The name recorded in the audit log and the token's `sub`. */
export function principalName(principal: Principal): string {
  return principal.kind === 'anonymous' ? 'anonymous' : principal.name;
}

export function isSystemAdmin(principal: Principal): boolean {
  return principal.kind === 'user' && principal.admin;
}
