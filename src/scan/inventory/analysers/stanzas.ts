// The "Name: value" paragraph format shared by dpkg's databases, Debian copyright files
// (deb822, Debian Policy 5.1) and Python's core metadata (email headers, RFC 5322): a field
// runs on over lines that start with a space or a tab, and a blank line ends a paragraph.

export type Stanza = [name: string, value: string][];

/** Splits text into paragraphs of fields, in order; repeated fields are all kept. */
export function parseStanzas(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let current: Stanza = [];

  for (const line of text.split('\n')) {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (trimmed.trim() === '') {
      if (current.length > 0) stanzas.push(current);
      current = [];
      continue;
    }

    const last = current[current.length - 1];
    if ((trimmed.startsWith(' ') || trimmed.startsWith('\t')) && last) {
      last[1] += `\n${trimmed.slice(1)}`;
      continue;
    }

    const colon = trimmed.indexOf(':');
    if (colon > 0) current.push([trimmed.slice(0, colon), trimmed.slice(colon + 1).trim()]);
  }
  if (current.length > 0) stanzas.push(current);

  return stanzas;
}

/** The first value of a field, compared without regard to case as deb822 and RFC 5322 do. */
export function field(stanza: Stanza, name: string): string | undefined {
  const wanted = name.toLowerCase();

  return stanza.find(([key]) => key.toLowerCase() === wanted)?.[1];
}

export function fields(stanza: Stanza, name: string): string[] {
  const wanted = name.toLowerCase();

  return stanza.filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value);
}

/** The first line of a field's value: a copyright file's licence name, say. */
export function firstLine(value: string): string {
  const newline = value.indexOf('\n');

  return (newline < 0 ? value : value.slice(0, newline)).trim();
}

/** Keeps the first of each equal value, in order. */
export function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}
