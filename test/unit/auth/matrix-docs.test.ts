// The permission matrix published in docs/access-control.md must be the one the code enforces.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectActions, projectRoles, rolePermissions } from '../../../src/auth/index.js';

const doc = readFileSync(new URL('../../../docs/access-control.md', import.meta.url), 'utf8');

/** The matrix rows: action name (first word of the first cell) and its ✓ columns. */
function documentedMatrix(): Map<string, boolean[]> {
  const rows = doc
    .split('\n')
    .filter((line) => line.startsWith('| ') && line.includes('✓'))
    .map((line) => line.split('|').slice(1, -1));

  return new Map(
    rows.map((cells) => [
      cells[0]!.trim().split(' ')[0]!,
      cells.slice(1).map((c) => c.includes('✓')),
    ]),
  );
}

describe('the permission matrix in docs/access-control.md', () => {
  const matrix = documentedMatrix();

  it('has one row per project action', () => {
    expect([...matrix.keys()].sort()).toEqual([...projectActions].sort());
  });

  it.each([...projectActions])('documents %s as the code enforces it', (action) => {
    const enforced = [...projectRoles.map((role) => rolePermissions[role].has(action)), true];

    expect(matrix.get(action)).toEqual(enforced);
  });
});
