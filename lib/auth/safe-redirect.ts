/** Stands in for our origin while parsing; never shown or used for a request. */
const PARSE_BASE = "http://loyalty.invalid";
const MAX_LENGTH = 500;

// Browsers drop tabs and newlines anywhere in a URL and read "\" as "/", so "/\t/evil.example" and
// "/\\evil.example" both become "//evil.example", another host. None of them belongs in a path we
// send people to.
const UNSAFE_CHARACTERS = /[\u0000-\u001F\u007F\\]/;

/**
 * Only paths on this site: an open redirect after sign-in would hand a phishing page a trusted
 * link. The value is parsed as a URL relative to our origin and must still be on it; the result is
 * the parsed path, query and fragment (so what we redirect to is what we checked), never a scheme,
 * host or protocol-relative "//…". Percent-encoded slashes stay encoded, i.e. part of one path
 * segment, and a path whose decoded form would start with "//" is refused as well.
 */
export function safeRedirectPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LENGTH) return fallback;
  if (!value.startsWith("/") || UNSAFE_CHARACTERS.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, PARSE_BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== PARSE_BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (path.startsWith("//") || decodedStartsWithTwoSlashes(url.pathname)) return fallback;
  return path;
}

function decodedStartsWithTwoSlashes(pathname: string): boolean {
  let current = pathname;
  for (let i = 0; i < 3; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      return true;
    }
    if (/^[/\\]{2}/.test(decoded.replace(UNSAFE_CHARACTERS_GLOBAL, "/"))) return true;
    if (decoded === current) return false;
    current = decoded;
  }
  return true;
}

const UNSAFE_CHARACTERS_GLOBAL = new RegExp(UNSAFE_CHARACTERS.source, "g");
