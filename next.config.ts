import type { NextConfig } from "next";
import { API_CONTENT_SECURITY_POLICY, commonSecurityHeaders } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  // PGlite ships its own WASM and data files: bundling it breaks them.
  serverExternalPackages: ["@electric-sql/pglite", "pino", "ioredis"],
  poweredByHeader: false,
  // Lets end-to-end runs build beside a running dev server without sharing .next/.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // forbidden() in the staff pages (app/(staff)/staff/staff-session.ts) renders app/forbidden.tsx with a 403 status.
  experimental: { authInterrupts: true },
  // Security headers on every response, static files included; pages get their nonce-based CSP from
  // proxy.ts, API answers the locked-down one here (no proxy on the API's hot path). `next build`
  // and `next start` run with NODE_ENV=production, `next dev` with development: HSTS only in the former.
  async headers() {
    const production = process.env.NODE_ENV === "production";
    return [
      { source: "/:path*", headers: commonSecurityHeaders(production) },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
};

export default nextConfig;
