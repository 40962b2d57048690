/**
 * Shapes and small helpers shared by the management API's behaviour tests (test/http/api-*).
 * The shapes are the server's own (src/api/schemas.ts), so a renamed field breaks the build.
 */
import type { z } from 'zod';
import type * as shapes from '../../src/api/schemas.js';
import { adminCredentials, basicHeader, type Credentials } from './accounts.js';
import type { ApiClient } from './api-client.js';

export type Project = z.output<typeof shapes.project>;
export type ProjectDetail = z.output<typeof shapes.projectDetail>;
export type Member = z.output<typeof shapes.member>;
export type User = z.output<typeof shapes.user>;
export type Robot = z.output<typeof shapes.robot>;
export type RobotCreated = z.output<typeof shapes.robotCreated>;
export type Quota = z.output<typeof shapes.quota>;
export type AuditEvent = z.output<typeof shapes.auditEvent>;
export type AuditPage = z.output<typeof shapes.auditPage>;

export interface Listing<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** Audit events from GET /audit (newest first), as an administrator unless told otherwise. */
export async function auditEvents(
  api: ApiClient,
  filter: Record<string, string> = {},
  as: Credentials = adminCredentials,
): Promise<AuditEvent[]> {
  const query = new URLSearchParams({ limit: '1000', ...filter });
  const res = await api.get<AuditPage>(`/audit?${query}`, { basic: as });
  if (res.status !== 200) throw new Error(`GET /audit: ${res.status} ${JSON.stringify(res.body)}`);

  return res.body.items;
}

/** The registry's catalog, as the administrator sees it. */
export async function catalog(url: string): Promise<string[]> {
  const res = await fetch(`${url}/v2/_catalog`, {
    headers: { authorization: basicHeader(adminCredentials) },
  });

  return ((await res.json()) as { repositories: string[] }).repositories;
}
