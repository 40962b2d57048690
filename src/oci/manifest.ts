import { RegistryError } from './errors.js';
import { tryParseDigest } from './digest.js';
import { MediaType, isIndexMediaType, manifestMediaTypes } from './mediatypes.js';

/** A content descriptor (image-spec descriptor.md), reduced to what the registry uses. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
}

/** What the registry needs to know about a manifest to store it and answer queries about it. */
export interface ParsedManifest {
  mediaType: string;
  /** Set for image manifests; absent for indexes. */
  config?: Descriptor;
  /** Image layers, or for an index its child manifests. */
  layers: Descriptor[];
  manifests: Descriptor[];
  subject?: Descriptor;
  /** artifactType, falling back to the config media type as the referrers API requires. */
  artifactType?: string;
  annotations?: Record<string, string>;
}

type Json = Record<string, unknown>;

/**
 * Parses and checks a pushed manifest. `contentType` is the request's Content-Type; the spec
 * says it must match the manifest's `mediaType` field when both are present (v1.1 "Pushing
 * Manifests"). Structural checks stop at what the registry relies on; unknown fields are kept
 * byte-exact because the stored bytes are never re-serialised.
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  const json = parseJsonObject(body);
  const mediaType = resolveMediaType(json, contentType);

  if (isIndexMediaType(mediaType)) {
    return {
      mediaType,
      layers: [],
      manifests: descriptorList(json.manifests, 'manifests', true),
      subject: optionalDescriptor(json.subject, 'subject'),
      artifactType: optionalString(json.artifactType, 'artifactType'),
      annotations: annotationsOf(json.annotations, 'annotations'),
    };
  }

  const config = descriptor(json.config, 'config');
  const artifactType = optionalString(json.artifactType, 'artifactType');
  return {
    mediaType,
    config,
    layers: descriptorList(json.layers, 'layers', false),
    manifests: [],
    subject: optionalDescriptor(json.subject, 'subject'),
    artifactType: artifactType || config.mediaType,
    annotations: annotationsOf(json.annotations, 'annotations'),
  };
}

function parseJsonObject(body: Buffer): Json {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('manifest is not valid JSON');
  }
  if (!isObject(value)) throw invalid('manifest must be a JSON object');

  return value;
}

function resolveMediaType(json: Json, contentType: string | undefined): string {
  const declared = optionalString(json.mediaType, 'mediaType');
  const header = normaliseContentType(contentType);

  if (json.schemaVersion === 1 || header === MediaType.dockerSchema1Signed) {
    throw invalid('Docker schema 1 manifests are not supported; push schema 2 or OCI');
  }
  if (json.schemaVersion !== 2) throw invalid('schemaVersion must be 2');
  if (declared && header && manifestMediaTypes.has(header) && declared !== header) {
    throw invalid(`mediaType "${declared}" does not match Content-Type "${header}"`);
  }

  const mediaType = declared ?? (header && manifestMediaTypes.has(header) ? header : undefined);
  if (mediaType) {
    if (!manifestMediaTypes.has(mediaType))
      throw invalid(`unsupported manifest type "${mediaType}"`);
    return mediaType;
  }

  // image-spec: mediaType is only a SHOULD; an OCI manifest or index may omit it.
  return Array.isArray(json.manifests) ? MediaType.ociIndex : MediaType.ociManifest;
}

export function normaliseContentType(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const type = value.split(';')[0]?.trim().toLowerCase();

  return type || undefined;
}

function descriptor(value: unknown, field: string): Descriptor {
  if (!isObject(value)) throw invalid(`${field} must be a descriptor object`);

  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '') {
    throw invalid(`${field}.mediaType must be a non-empty string`);
  }
  if (typeof digest !== 'string' || !tryParseDigest(digest)) {
    throw invalid(`${field}.digest is not a valid digest`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw invalid(`${field}.size must be a non-negative integer`);
  }

  return {
    mediaType,
    digest,
    size,
    artifactType: optionalString(value.artifactType, `${field}.artifactType`),
    annotations: annotationsOf(value.annotations, `${field}.annotations`),
    urls: Array.isArray(value.urls) ? value.urls.filter((u) => typeof u === 'string') : undefined,
  };
}

function optionalDescriptor(value: unknown, field: string): Descriptor | undefined {
  return value === undefined || value === null ? undefined : descriptor(value, field);
}

function descriptorList(value: unknown, field: string, required: boolean): Descriptor[] {
  if (value === undefined || value === null) {
    if (required) throw invalid(`${field} is required`);
    return [];
  }
  if (!Array.isArray(value)) throw invalid(`${field} must be an array`);

  return value.map((item, i) => descriptor(item, `${field}[${i}]`));
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);

  return value;
}

function annotationsOf(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalid(`${field} must be an object`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalid(`${field}["${key}"] must be a string`);
  }

  return value as Record<string, string>;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): RegistryError {
  return new RegistryError('MANIFEST_INVALID', message);
}
