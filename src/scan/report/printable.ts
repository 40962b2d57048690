/**
 * Text from an image (os-release names, file paths, versions) made safe for a terminal: control
 * characters, escape sequences included, become U+FFFD, one for one, so that a hostile image
 * cannot restyle, erase or overwrite lines of a report, and table columns stay aligned.
 * Newlines and tabs are kept.
 */
export function printable(text: string): string {
  let result = '';
  for (const char of text) result += isControl(char.charCodeAt(0)) ? '\ufffd' : char;

  return result;
}

/** C0 controls but tab and newline, DEL, and the C1 controls (U+0080 to U+009F). */
function isControl(code: number): boolean {
  if (code === 0x09 || code === 0x0a) return false;

  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}
