import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Auth } from '../auth/index.js';
import { auditFilter, auditPage } from './projects.js';
import { route, type ApiRoute } from './route.js';
import * as s from './schemas.js';

export interface PublicSettings {
  [key: string]: unknown;
}

const exportBatch = 1000;

export function systemRoutes(settings: PublicSettings): ApiRoute[] {
  return [
    route({
      method: 'GET',
      path: '/whoami',
      operationId: 'whoami',
      summary: 'The caller, as Berth sees them',
      tag: 'system',
      status: 200,
      response: s.whoami,
      anonymous: true,
      async handler({ actor }) {
        const p = actor.principal;
        return {
          kind: p.kind,
          name: p.kind === 'anonymous' ? 'anonymous' : p.name,
          admin: p.kind === 'user' && p.admin,
          groups: p.kind === 'user' ? p.groups : [],
        };
      },
    }),
    route({
      method: 'GET',
      path: '/settings',
      operationId: 'getSettings',
      summary: 'The effective configuration, without secrets (system administrators)',
      tag: 'system',
      status: 200,
      response: z.record(z.string(), z.unknown()),
      async handler({ actor, auth }) {
        auth.accounts.requireSystem(actor, 'manage-settings');
        return settings;
      },
    }),
    route({
      method: 'POST',
      path: '/system/signing-keys/rotate',
      operationId: 'rotateSigningKey',
      summary:
        'Sign new tokens with a new key now; tokens of the old key stay valid until they expire',
      tag: 'system',
      status: 200,
      response: z.object({ kid: z.string() }),
      async handler({ actor, auth }) {
        auth.accounts.requireSystem(actor, 'rotate-keys');
        const kid = await auth.keys.rotate();
        auth.audit.record(actor.principal, {
          action: 'signing-key.rotate',
          resource: kid,
          remoteAddr: actor.remoteAddr,
        });
        return { kid };
      },
    }),
    route({
      method: 'GET',
      path: '/audit',
      operationId: 'listAuditEvents',
      summary: 'Audit events of the whole system, newest first (system administrators)',
      tag: 'audit',
      query: s.auditQuery.extend({ project: z.string().max(128).optional() }),
      status: 200,
      response: s.auditPage,
      async handler({ actor, auth, query }) {
        auth.accounts.requireSystem(actor, 'read-system-audit');
        const items = await auth.audit.query({ ...auditFilter(query), project: query.project });
        return auditPage(items, query.limit);
      },
    }),
    route({
      method: 'GET',
      path: '/audit/export',
      operationId: 'exportAuditEvents',
      summary: 'Audit events as JSON lines, newest first (system administrators)',
      tag: 'audit',
      query: s.auditQuery
        .omit({ limit: true, before: true })
        .extend({ project: z.string().max(128).optional() }),
      status: 200,
      rawResponse: {
        mediaTypes: ['application/x-ndjson'],
        description: 'one audit event per line',
      },
      async handler({ actor, auth, query, reply }) {
        auth.accounts.requireSystem(actor, 'read-system-audit');
        const filter = { ...auditFilter({ ...query, limit: exportBatch }), project: query.project };
        return streamExport(auth, filter, reply);
      },
    }),
  ];
}

/** Streams every matching event in pages, so that a large log never sits in memory whole. */
async function streamExport(
  auth: Auth,
  filter: Parameters<Auth['audit']['query']>[0],
  reply: FastifyReply,
): Promise<void> {
  async function* lines() {
    let before: number | undefined;
    for (;;) {
      const page = await auth.audit.query({ ...filter, before, limit: exportBatch });
      for (const event of page) yield `${JSON.stringify(s.auditOut(event))}\n`;
      if (page.length < exportBatch) return;
      before = page.at(-1)?.id;
    }
  }

  await reply.header('content-type', 'application/x-ndjson').send(Readable.from(lines()));
}
