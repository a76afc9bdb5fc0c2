/**
 * Response headers every answer carries (next.config.ts `headers()`, for pages, route handlers and
 * static files alike), and the pages' Content-Security-Policy with a fresh nonce (proxy.ts).
 * No Next.js or environment import: next.config.ts loads this file at build time.
 */

export interface Header {
  key: string;
  value: string;
}

/** Two years, the preload list's minimum; only sent by production builds (browsers ignore it over http). */
const HSTS = "max-age=63072000; includeSubDomains";

/** Features the app never uses, switched off for it and for anything it could ever embed. */
const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "autoplay=()",
  "camera=()",
  "display-capture=()",
  "geolocation=()",
  "gyroscope=()",
  "magnetometer=()",
  "microphone=()",
  "payment=()",
  "publickey-credentials-get=()",
  "usb=()",
  "browsing-topics=()",
].join(", ");

export function commonSecurityHeaders(production: boolean): Header[] {
  return [
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
    // frame-ancestors 'none' in the CSP is the rule; this is for browsers that predate it.
    { key: "X-Frame-Options", value: "DENY" },
    { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
    ...(production ? [{ key: "Strict-Transport-Security", value: HSTS }] : []),
  ];
}

/**
 * JSON and the plain API reference page (/api/docs, one inline <style>, no script): nothing may
 * load, run or frame them.
 */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface PagePolicyOptions {
  nonce: string;
  /** React's development build evaluates code for its error overlays; production never does. */
  development: boolean;
  /** Upgrade http: subresources when the public origin is https (not on a plain-http local run). */
  https: boolean;
  /** The OIDC provider's origin: the single sign-on form ends in a redirect there. */
  formTargets?: readonly string[];
}

/**
 * Nonce-based, as the Next.js 16 CSP guide describes: Next.js reads the nonce from this header on
 * the request and puts it on its own scripts; 'strict-dynamic' lets those load the page's chunks.
 * Style attributes (progress bars, charts) are allowed; style elements need the nonce.
 */
export function pageContentSecurityPolicy(options: PagePolicyOptions): string {
  const nonce = `'nonce-${options.nonce}'`;
  const directives = [
    "default-src 'self'",
    `script-src 'self' ${nonce} 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' ${nonce}`,
    `style-src-elem 'self' ${nonce}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${options.development ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self'${options.formTargets?.length ? ` ${options.formTargets.join(" ")}` : ""}`,
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** 128 random bits, base64: unguessable and fresh on every page view. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
