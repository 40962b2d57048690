const redacted = '[redacted]';

/**
 * A setting that is a credential (an LDAP bind password, an OIDC client secret). Its value comes
 * out only through `reveal()`: printed, logged, serialised to JSON or YAML, it reads
 * `[redacted]`, so GET /api/v1/settings, `config check` and a log line with the configuration
 * never show it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return redacted;
  }

  toString(): string {
    return redacted;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return redacted;
  }
}
