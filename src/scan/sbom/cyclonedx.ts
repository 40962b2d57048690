// CycloneDX 1.6 JSON (cyclonedx.org/docs/1.6/json) through the CycloneDX project's own
// library: the image is the BOM's subject (a container component), its OS and packages are
// components, and findings become vulnerabilities that point at the affected components.

import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { randomUUID } from 'node:crypto';
import type { SeverityLevel, SeverityRating } from '../advisories/index.js';
import type { Finding } from '../match/index.js';
import type { InventoryPackage } from '../model.js';
import { imagePurl, imageVersion } from './image-purl.js';
import { PROPERTY, type SbomInput } from './input.js';
import { classifyLicense } from './licenses.js';

const { ComponentType } = Enums;
const { Severity, RatingMethod, AffectStatus, AnalysisResponse } = Enums.Vulnerability;

/** The document as a JSON string, pretty-printed. */
export function cyclonedxJson(input: SbomInput): string {
  const serializer = new Serialize.JsonSerializer(
    new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6),
  );

  return serializer.serialize(cyclonedxBom(input), { sortLists: true, space: 2 });
}

export function cyclonedxBom(input: SbomInput): Models.Bom {
  const bom = new Models.Bom({ serialNumber: `urn:uuid:${input.uuid ?? randomUUID()}` });
  bom.metadata.timestamp = input.timestamp ?? new Date();
  bom.metadata.tools.components.add(
    new Models.Component(ComponentType.Application, 'berth', { version: input.toolVersion }),
  );
  const subject = imageComponent(input);
  bom.metadata.component = subject;

  if (input.os) {
    const os = new Models.Component(ComponentType.OperatingSystem, input.os.id, {
      bomRef: 'os',
      ...(input.os.versionId && { version: input.os.versionId }),
      ...(input.os.prettyName && { description: input.os.prettyName }),
    });
    bom.components.add(os);
    subject.dependencies.add(os.bomRef);
  }

  const components = packageComponents(input.packages);
  for (const component of components.values()) {
    bom.components.add(component);
    subject.dependencies.add(component.bomRef);
  }
  for (const finding of input.findings ?? []) {
    const component = components.get(packageKey(finding.package.purl, finding.package.location));
    if (component) bom.vulnerabilities.add(vulnerability(finding, component));
  }

  return bom;
}

function imageComponent(input: SbomInput): Models.Component {
  const { image } = input;

  return new Models.Component(ComponentType.Container, image.name, {
    bomRef: 'image',
    version: imageVersion(image),
    purl: imagePurl(image),
  });
}

/**
 * One component per package and place: the same purl found at two locations (a module vendored
 * twice) is two components, with bom-refs made unique, as consumers reject duplicates.
 */
function packageComponents(packages: readonly InventoryPackage[]): Map<string, Models.Component> {
  const components = new Map<string, Models.Component>();
  const refs = new Set<string>();

  for (const item of packages) {
    const key = packageKey(item.purl, item.location);
    if (components.has(key)) continue;

    let ref = item.purl;
    for (let n = 2; refs.has(ref); n++) ref = `${item.purl}#${n}`;
    refs.add(ref);
    components.set(key, packageComponent(item, ref));
  }

  return components;
}

function packageComponent(item: InventoryPackage, bomRef: string): Models.Component {
  const component = new Models.Component(ComponentType.Library, item.name, {
    bomRef,
    version: item.version,
    purl: item.purl,
  });
  for (const license of licenses(item.licenses)) component.licenses.add(license);

  const properties: [string, string | undefined][] = [
    [PROPERTY.packageType, item.type],
    [PROPERTY.sourceName, item.sourceName],
    [PROPERTY.sourceVersion, item.sourceVersion],
    [PROPERTY.location, item.location],
    [PROPERTY.layerDigest, item.layerDigest],
  ];
  for (const [name, value] of properties) {
    if (value) component.properties.add(new Models.Property(name, value));
  }

  return component;
}

/**
 * CycloneDX takes either licences or one expression: a lone expression stays one, and in a
 * list every entry is an SPDX id or a name.
 */
function licenses(declared: readonly string[]): Models.License[] {
  const classified = [...new Set(declared)].map(classifyLicense);
  if (classified.length === 1 && classified[0]!.kind === 'expression') {
    return [new Models.LicenseExpression(classified[0]!.expression)];
  }

  return classified.map((license) =>
    license.kind === 'id'
      ? new Models.SpdxLicense(license.id)
      : new Models.NamedLicense(license.kind === 'name' ? license.name : license.expression),
  );
}

function vulnerability(
  finding: Finding,
  component: Models.Component,
): Models.Vulnerability.Vulnerability {
  const vulnerability = new Models.Vulnerability.Vulnerability({
    bomRef: `${finding.id}@${component.bomRef.value}`,
    id: finding.id,
    ...(finding.summary && { description: finding.summary }),
    ...(finding.fixedVersion && {
      recommendation: `Upgrade ${finding.package.name} to ${finding.fixedVersion}`,
    }),
  });

  for (const rating of finding.severities) vulnerability.ratings.add(cdxRating(rating));
  for (const alias of finding.aliases) {
    vulnerability.references.add(
      new Models.Vulnerability.Reference(
        alias,
        new Models.Vulnerability.Source({ name: sourceOf(alias) }),
      ),
    );
  }
  vulnerability.affects.add(
    new Models.Vulnerability.Affect(component.bomRef, {
      versions: new Models.Vulnerability.AffectedVersionRepository([
        new Models.Vulnerability.AffectedSingleVersion(finding.installedVersion, {
          status: AffectStatus.Affected,
        }),
      ]),
    }),
  );
  const response = responseOf(finding);
  if (response) {
    vulnerability.analysis = new Models.Vulnerability.Analysis({
      response: new Enums.Vulnerability.AnalysisResponseRepository([response]),
      ...(finding.note && { detail: finding.note }),
    });
  }
  vulnerability.properties.add(new Models.Property(PROPERTY.status, finding.status));
  if (finding.note) vulnerability.properties.add(new Models.Property(PROPERTY.note, finding.note));

  return vulnerability;
}

function cdxRating(rating: SeverityRating): Models.Vulnerability.Rating {
  const isVector = rating.source.startsWith('cvss');

  return new Models.Vulnerability.Rating({
    source: new Models.Vulnerability.Source({ name: rating.source }),
    severity: SEVERITY[rating.level],
    method: isVector ? vectorMethod(rating.value) : RatingMethod.Other,
    ...(isVector && { vector: rating.value }),
    ...(rating.score !== undefined && { score: rating.score }),
    ...(!isVector && { justification: rating.value }),
  });
}

/** CycloneDX has no "negligible"; "info" is its level below low. */
const SEVERITY: Record<SeverityLevel, Enums.Vulnerability.Severity> = {
  critical: Severity.Critical,
  high: Severity.High,
  medium: Severity.Medium,
  low: Severity.Low,
  negligible: Severity.Info,
  unknown: Severity.Unknown,
};

function vectorMethod(vector: string): Enums.Vulnerability.RatingMethod {
  if (vector.startsWith('CVSS:3.1/')) return RatingMethod.CVSSv31;
  if (vector.startsWith('CVSS:3.0/')) return RatingMethod.CVSSv3;
  if (vector.startsWith('CVSS:4.0/')) return RatingMethod.CVSSv4;

  return vector.startsWith('AV:') ? RatingMethod.CVSSv2 : RatingMethod.Other;
}

function responseOf(finding: Finding): Enums.Vulnerability.AnalysisResponse | undefined {
  if (finding.status === 'will-not-fix') return AnalysisResponse.WillNotFix;
  if (finding.status === 'fixed') return AnalysisResponse.Update;

  return undefined;
}

/** Who files ids of this shape. */
function sourceOf(id: string): string {
  const prefix = id.split('-')[0]!.toUpperCase();
  const names: Record<string, string> = {
    CVE: 'NVD',
    GHSA: 'GitHub Advisory Database',
    DSA: 'Debian',
    DLA: 'Debian',
    DEBIAN: 'Debian',
    GO: 'Go Vulnerability Database',
    PYSEC: 'PyPA Advisory Database',
    RUSTSEC: 'RustSec',
    ALPINE: 'Alpine',
  };

  return names[prefix] ?? prefix;
}

function packageKey(purl: string, location: string): string {
  return `${purl}\u0000${location}`;
}
