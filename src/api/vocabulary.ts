import { projectActions, projectRoles as roles, robotActions } from '../auth/index.js';

/** Enumerations the API schemas share with src/auth, as tuples zod can take. */
export const projectRoles = roles as unknown as [string, ...string[]] & typeof roles;
export const robotActionList = robotActions as unknown as [string, ...string[]];
export const projectActionList = projectActions as unknown as [string, ...string[]];
