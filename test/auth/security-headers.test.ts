import { afterEach, describe, expect, it } from "vitest";
import { secureCookies } from "@/lib/auth/base-config";
import { resetEnvCache } from "@/lib/env";
import { API_CONTENT_SECURITY_POLICY, commonSecurityHeaders, newNonce, pageContentSecurityPolicy } from "@/lib/http/security-headers";
import nextConfig from "../../next.config";

const directives = (policy: string) =>
  new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );

describe("security headers", () => {
  it("every path gets nosniff, a referrer policy, a permissions policy and no framing; HSTS only in production", async () => {
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*")!;
    const keys = all.headers.map((h) => h.key);
    for (const key of ["X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy", "X-Frame-Options"]) expect(keys).toContain(key);
    expect(commonSecurityHeaders(true).map((h) => h.key)).toContain("Strict-Transport-Security");
    expect(commonSecurityHeaders(false).map((h) => h.key)).not.toContain("Strict-Transport-Security");
    expect(rules.find((r) => r.source === "/api/:path*")!.headers).toEqual([{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }]);
  });

  it("the pages' policy allows scripts only by nonce, never inline or eval in production, and no framing", () => {
    const nonce = newNonce();
    const policy = directives(pageContentSecurityPolicy({ nonce, development: false, https: true }));
    expect(policy.get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.has("upgrade-insecure-requests")).toBe(true);
    expect([...policy.values()].flat()).not.toContain("'unsafe-eval'");
    expect(policy.get("script-src")).not.toContain("'unsafe-inline'");
    expect(directives(pageContentSecurityPolicy({ nonce, development: true, https: false })).get("script-src")).toContain("'unsafe-eval'");
  });

  it("nonces are 128 random bits, fresh each time", () => {
    const nonces = new Set(Array.from({ length: 1000 }, newNonce));
    expect(nonces.size).toBe(1000);
    for (const n of nonces) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });
});

describe("Secure cookies", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetEnvCache();
  });
  const withEnv = (vars: Record<string, string | undefined>) => {
    process.env = { ...saved, ...vars } as NodeJS.ProcessEnv;
    for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k];
    resetEnvCache();
    return secureCookies();
  };

  it("are Secure in production, whatever the request says, except a deliberate plain-http local run", () => {
    expect(withEnv({ NODE_ENV: "production", AUTH_URL: undefined })).toBe(true);
    expect(withEnv({ NODE_ENV: "production", AUTH_URL: "https://rewards.example.com" })).toBe(true);
    expect(withEnv({ NODE_ENV: "production", AUTH_URL: "http://rewards.example.com" })).toBe(true);
    expect(withEnv({ NODE_ENV: "production", AUTH_URL: "http://localhost:3917" })).toBe(false);
    expect(withEnv({ NODE_ENV: "development", AUTH_URL: undefined })).toBe(false);
  });
});
