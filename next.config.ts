import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite ships its own WASM and data files: bundling it breaks them.
  serverExternalPackages: ["@electric-sql/pglite", "pino", "ioredis"],
  poweredByHeader: false,
  // Lets end-to-end runs build beside a running dev server without sharing .next/.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // forbidden() in the staff pages (app/(staff)/staff/staff-session.ts) renders app/forbidden.tsx with a 403 status.
  experimental: { authInterrupts: true },
};

export default nextConfig;
