import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "e2e/**", ".next*/**", ".data/**"],
    globalSetup: ["./test/support/global-setup.ts"],
    environment: "node",
    // The webhook tests deliver to a receiver on 127.0.0.1, a loopback target refused without this
    // (lib/webhooks/target.ts); the target tests turn it off where they check the refusals.
    env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: "1" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more forks only fight over them and over PostgreSQL.
    maxWorkers: 2,
    // next-auth imports "next/server" without an extension, which Node's ESM resolver refuses:
    // inlined, Vite resolves it, so a test can load auth.ts (the hostile-input fuzzer does).
    server: { deps: { inline: ["next-auth"] } },
  },
});
