// The OpenAPI document generated from the route table: recursive shapes, which zod writes with
// `$defs` of their own, must become components the whole document can resolve.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '../../../src/api/openapi.js';
import { route } from '../../../src/api/route.js';
import { OpenApiChecker } from '../../support/openapi-checker.js';

interface TreeNode {
  name: string;
  children: TreeNode[];
}

const node: z.ZodType<TreeNode> = z.object({
  name: z.string(),
  get children() {
    return z.array(node);
  },
});

function documentWith(response: z.ZodType): Record<string, unknown> {
  const tree = route({
    method: 'GET',
    path: '/tree',
    operationId: 'getTree',
    summary: 'a recursive answer',
    tag: 'test',
    status: 200,
    response,
    async handler() {
      return { name: 'root', children: [] };
    },
  });

  return openApiDocument([tree, { ...tree, path: '/forest', operationId: 'getForest' }], 'test');
}

const answer = (body: unknown) => ({ status: 200, contentType: 'application/json', body });

function tree(leafName: unknown): TreeNode {
  const leaf = { name: leafName as string, children: [] };
  return { name: 'a', children: [{ name: 'b', children: [leaf] }] };
}

describe.each([
  ['inside another schema', z.object({ root: node }), (t: TreeNode) => ({ root: t })],
  ['as the whole schema', node, (t: TreeNode) => t],
])('a recursive schema %s', (_case, response, wrap) => {
  const document = documentWith(response);

  it('leaves no reference to the document root or a `$defs` of its own', () => {
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]*"/g) ?? [];

    expect(refs.length).toBeGreaterThan(1);
    for (const ref of refs) expect(ref).toMatch(/^"\$ref":"#\/components\/schemas\/\w+"$/);
  });

  it('resolves within the document, however deep', () => {
    const checker = new OpenApiChecker(document);

    for (const path of ['/tree', '/forest']) {
      const exchange = { method: 'GET', path };
      expect(() => checker.checkResponse(exchange, answer(wrap(tree('c'))))).not.toThrow();
      expect(() => checker.checkResponse(exchange, answer(wrap(tree(42))))).toThrow(
        /name must be string/,
      );
    }
  });
});
