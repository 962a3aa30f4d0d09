/**
 * The cookies of a `Cookie` request header (`a=1; b=2`), by name. Values are kept as sent (no percent-decoding;
 * surrounding double quotes dropped); a pair without `=` is skipped; when a name repeats, the first one wins
 * (browsers send the most specific path first).
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    const name = pair.slice(0, equals).trim();
    let value = pair.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}
