// SPDX 2.3 JSON (spdx.github.io/spdx-spec/v2.3): the image is the package the document
// DESCRIBES, and it CONTAINS the OS and every package found. No maintained library writes
// SPDX 2.3, so this builds the document directly; tests check it against the SPDX schema.

import { randomUUID } from 'node:crypto';
import type { InventoryPackage } from '../model.js';
import { imagePurl, imageVersion } from './image-purl.js';
import type { SbomInput } from './input.js';
import { classifyLicense } from './licenses.js';

const NOASSERTION = 'NOASSERTION';

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: false;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  sourceInfo?: string;
  primaryPackagePurpose: 'CONTAINER' | 'OPERATING-SYSTEM' | 'LIBRARY';
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
}

interface ExtractedLicense {
  licenseId: string;
  name: string;
  extractedText: string;
}

export function spdxJson(input: SbomInput): string {
  return `${JSON.stringify(spdxDocument(input), null, 2)}\n`;
}

export function spdxDocument(input: SbomInput) {
  const licenses = new LicenseRefs();
  const image = imagePackage(input);
  const os = input.os && osPackage(input.os);
  const packages = input.packages.map((item, i) => packageOf(item, i + 1, licenses));
  const contained = [...(os ? [os] : []), ...packages];

  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${input.image.name}@${imageVersion(input.image)}`,
    documentNamespace: `urn:uuid:${input.uuid ?? randomUUID()}`,
    creationInfo: {
      created: (input.timestamp ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      creators: [`Tool: berth-${input.toolVersion}`],
    },
    packages: [image, ...contained],
    ...(licenses.extracted.length > 0 && { hasExtractedLicensingInfos: licenses.extracted }),
    relationships: [
      relationship('SPDXRef-DOCUMENT', 'DESCRIBES', image.SPDXID),
      ...contained.map((p) => relationship(image.SPDXID, 'CONTAINS', p.SPDXID)),
    ],
  };
}

function imagePackage(input: SbomInput): SpdxPackage {
  return {
    SPDXID: 'SPDXRef-Image',
    name: input.image.name,
    versionInfo: imageVersion(input.image),
    ...unasserted(),
    primaryPackagePurpose: 'CONTAINER',
    externalRefs: [purlRef(imagePurl(input.image))],
  };
}

function osPackage(os: NonNullable<SbomInput['os']>): SpdxPackage {
  return {
    SPDXID: 'SPDXRef-OperatingSystem',
    name: os.id,
    ...(os.versionId && { versionInfo: os.versionId }),
    ...unasserted(),
    primaryPackagePurpose: 'OPERATING-SYSTEM',
  };
}

function packageOf(item: InventoryPackage, index: number, licenses: LicenseRefs): SpdxPackage {
  return {
    SPDXID: `SPDXRef-Package-${index}-${idSafe(item.name)}`,
    name: item.name,
    versionInfo: item.version,
    ...unasserted(),
    licenseDeclared: licenses.expressionOf(item.licenses),
    sourceInfo: `read from ${item.location} in layer ${item.layerDigest}`,
    primaryPackagePurpose: 'LIBRARY',
    externalRefs: [purlRef(item.purl)],
  };
}

/** Berth reads metadata, not files: nothing is concluded, and no download location is known. */
function unasserted() {
  return {
    downloadLocation: NOASSERTION,
    filesAnalyzed: false as const,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
  };
}

function purlRef(purl: string) {
  return { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl };
}

function relationship(from: string, type: string, to: string) {
  return { spdxElementId: from, relationshipType: type, relatedSpdxElement: to };
}

/** SPDX ids allow letters, digits, "." and "-" only. */
function idSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9.-]+/g, '-');
}

/**
 * Declared licences as one SPDX expression: SPDX ids and expressions as they are, other names
 * as LicenseRef-… entries whose text is the name, all joined with AND (a package under several
 * licences is under all of them, file by file).
 */
class LicenseRefs {
  readonly extracted: ExtractedLicense[] = [];
  private readonly byName = new Map<string, string>();

  expressionOf(declared: readonly string[]): string {
    const parts = [...new Set(declared)].map((text) => {
      const license = classifyLicense(text);
      if (license.kind === 'id') return license.id;
      if (license.kind === 'expression') return `(${license.expression})`;
      return this.refFor(license.name);
    });
    if (parts.length === 0) return NOASSERTION;

    return parts.length === 1 ? parts[0]!.replace(/^\((.*)\)$/, '$1') : parts.join(' AND ');
  }

  private refFor(name: string): string {
    const known = this.byName.get(name);
    if (known) return known;

    // "GPL-2+" is Debian's spelling of "or later"; LicenseRef ids cannot carry the "+".
    const base = `LicenseRef-${idSafe(name.replace(/\+$/, '-or-later'))}`;
    const taken = new Set(this.extracted.map((e) => e.licenseId));
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;

    this.byName.set(name, id);
    this.extracted.push({ licenseId: id, name, extractedText: name });
    return id;
  }
}
