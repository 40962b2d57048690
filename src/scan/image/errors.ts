/** Why an image could not be read; each kind is the user's to fix, not a defect of Berth. */
export type ImageErrorKind =
  /** The reference is not one of the forms `berth scan` takes. */
  | 'reference'
  /** The registry, layout or archive has no such image, tag or blob. */
  | 'not-found'
  /** The registry refused the credentials, or asked for some and none were given. */
  | 'unauthorized'
  /** The registry could not be reached, or answered something other than the API. */
  | 'network'
  /** No manifest of an index matches the platform asked for. */
  | 'platform'
  /** A manifest type, media type or archive layout Berth does not read. */
  | 'unsupported'
  /** Content that does not match its digest, or is not what its media type says. */
  | 'corrupt';

export class ImageSourceError extends Error {
  constructor(
    readonly kind: ImageErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImageSourceError';
  }
}
