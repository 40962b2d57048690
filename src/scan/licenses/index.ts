// Licence classification: every package's declared licences mapped to a category (permissive,
// copyleft of three strengths, public domain, proprietary, unknown), and a count per category.
// Categories are Berth's reading of the declared licences, not legal advice; the declared
// licences themselves are what SBOMs carry.

import type { InventoryPackage } from '../model.js';
import { categoryOfLicenses } from './classify.js';
import { LICENSE_CATEGORIES, type LicenseCategory } from './categories.js';

export { LICENSE_CATEGORIES, type LicenseCategory } from './categories.js';
export { categoryOfLicense, categoryOfLicenses } from './classify.js';

export interface PackageLicense {
  purl: string;
  name: string;
  version: string;
  /** Where the package was read from, as in the inventory. */
  location: string;
  licenses: string[];
  category: LicenseCategory;
}

export interface LicenseSummary {
  /** Packages per category, every category present. */
  counts: Record<LicenseCategory, number>;
  /** Every package with its category, in inventory order. */
  packages: PackageLicense[];
}

export function summariseLicenses(packages: readonly InventoryPackage[]): LicenseSummary {
  const counts = Object.fromEntries(LICENSE_CATEGORIES.map((category) => [category, 0])) as Record<
    LicenseCategory,
    number
  >;
  const classified = packages.map(({ purl, name, version, location, licenses }) => {
    const category = categoryOfLicenses(licenses);
    counts[category] += 1;

    return { purl, name, version, location, licenses, category };
  });

  return { counts, packages: classified };
}
