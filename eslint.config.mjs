import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import drizzle from "eslint-plugin-drizzle";

/** What lib/loyalty/** must not import: Next.js, and the HTTP, cache and mail edges. */
const DOMAIN_FORBIDDEN = [
  { group: ["next", "next/*"], message: "The domain does not know Next.js: keep it in app/ or an edge module of lib/." },
  {
    group: ["@/lib/http", "@/lib/http/*", "@/lib/cache", "@/lib/cache/*", "@/lib/mail", "@/lib/mail/*"],
    message: "The domain imports neither lib/http, lib/cache nor lib/mail: pass the mailer or cache in as a parameter, or subscribe a listener from the edge.",
  },
  {
    regex: "^(\\.\\./)+(http|cache|mail)(/|$)",
    message: "The domain imports neither lib/http, lib/cache nor lib/mail (here by a relative path).",
  },
];

const config = [
  ...nextVitals,
  ...nextTs,
  {
    plugins: { drizzle },
    rules: {
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
    },
  },
  {
    // The domain (issue 11, ../shared/HOUSE-STYLE.md): lib/loyalty speaks in result codes and knows no
    // edge. A mailer, a cache or a request arrives as a parameter or through an after-commit listener
    // (lib/loyalty/ledger/members-changed.ts, lib/loyalty/campaigns/campaigns-changed.ts), never as an import; `import type`
    // counts too. Dynamic `import()` is not checked by this rule.
    files: ["lib/loyalty/**/*.{ts,tsx,mts,js,mjs}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: DOMAIN_FORBIDDEN }],
    },
  },
  // Exceptions to the domain boundary, one block per file with the reason (none today: keep this list
  // short and visible). Example:
  //   { files: ["lib/loyalty/x/y.ts"], rules: { "no-restricted-imports": "off" } }, // why, and the issue that removes it
  { ignores: [".next/**", ".next-*/**", "node_modules/**", ".data/**", "drizzle/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
];

export default config;
