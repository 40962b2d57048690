import type { ResolvedImage } from '../image/index.js';
import type { Finding } from '../match/index.js';
import type { InventoryPackage, OperatingSystem } from '../model.js';

/** What an SBOM is written from: the image, what is in it and, optionally, its findings. */
export interface SbomInput {
  image: ResolvedImage;
  os?: OperatingSystem;
  packages: readonly InventoryPackage[];
  /** CycloneDX carries vulnerabilities next to the components; SPDX 2.3 has no place for them. */
  findings?: readonly Finding[];
  /** Berth's version, named as the tool that wrote the document. */
  toolVersion: string;
  /** Fixed by tests; the current time otherwise. */
  timestamp?: Date;
  /** A UUID naming the document; random otherwise. */
  uuid?: string;
}

/** Property names Berth adds to SBOM components, in its own namespace. */
export const PROPERTY = {
  packageType: 'berth:package:type',
  sourceName: 'berth:package:source-name',
  sourceVersion: 'berth:package:source-version',
  location: 'berth:package:location',
  layerDigest: 'berth:layer:digest',
  status: 'berth:finding:status',
  severitySource: 'berth:finding:severity-source',
  note: 'berth:finding:note',
} as const;
