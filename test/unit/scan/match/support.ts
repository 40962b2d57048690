import path from 'node:path';
import { importAdvisories, type AdvisoryStore } from '../../../../src/scan/advisories/index.js';

/** The advisory fixture set written for the real test images, with the expected findings. */
export const expectedFixtures = path.resolve(
  import.meta.dirname,
  '../../../fixtures/scan/advisories-expected',
);

/** Imports the fixture set as the two sources the expected findings name. */
export async function importExpectedFixtures(store: AdvisoryStore): Promise<void> {
  await importAdvisories(store, path.join(expectedFixtures, 'debian'), { name: 'debian' });
  await importAdvisories(store, path.join(expectedFixtures, 'osv'), { name: 'osv' });
}
