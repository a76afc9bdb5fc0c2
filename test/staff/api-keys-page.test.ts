import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { setDbHandle } from "@/db/client";
import { revokeApiKey, rotateApiKey } from "@/lib/loyalty/access/api-key-lifecycle";
import { createApiKey } from "@/lib/loyalty/access/api-keys";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { createMemberUser } from "../portal/fixtures";

const session = vi.hoisted(() => {
  process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true"; // forbidden() needs it, as next.config.ts sets it
  return { userId: null as string | null };
});
vi.mock("@/auth", () => ({
  auth: async () => (session.userId ? { user: { id: session.userId } } : null),
  signIn: async () => {},
  signOut: async () => {},
  handlers: {},
}));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ host: "localhost" }), cookies: async () => ({ get: () => undefined }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));

const { default: ApiKeysPage } = await import("@/app/(staff)/staff/api-keys/page");

async function render(): Promise<string> {
  try {
    return renderToString(createElement("div", null, await ApiKeysPage()));
  } catch (error) {
    const digest = String((error as { digest?: string }).digest ?? "");
    if (digest.startsWith("NEXT_REDIRECT")) return `redirect:${digest.split(";")[2]}`;
    if (digest.startsWith("NEXT_HTTP_ERROR_FALLBACK")) return digest.split(";")[1]!;
    throw error;
  }
}

describe("/staff/api-keys", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    setDbHandle(t.connect());
  });
  afterAll(async () => {
    setDbHandle(undefined);
    await t.drop();
  });

  it("lists every key with its status, scopes, limit, expiry and last use for an admin, never a secret", async () => {
    const active = await createApiKey(t.db, {
      name: "checkout",
      scopes: ["events:write"],
      rateLimitPerSecond: 40,
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    const defaulted = await createApiKey(t.db, { name: "bi-export", scopes: ["members:read", "campaigns:read"] });
    await revokeApiKey(t.db, defaulted.apiKey.id, { actor: "cli" });
    const old = await createApiKey(t.db, { name: "erp", scopes: ["members:read"] });
    const rotated = await rotateApiKey(t.db, "erp", { actor: "cli", graceMs: 3_600_000 });
    session.userId = (await createMemberUser(t.db, ["admin"])).id;

    const html = await render();
    expect(html).toContain("API keys");
    for (const name of ["checkout", "bi-export", "erp"]) expect(html).toContain(name);
    expect(html).toMatch(/>active</);
    expect(html).toMatch(/>revoked</);
    expect(html).toMatch(/>retiring</);
    expect(html).toContain("events:write");
    expect(html).toContain("40/s");
    expect(html).toContain("1000/s (default)");
    expect(html).toContain("Create key");
    expect(html).toContain("Rotate");
    expect(html).toContain("Revoke");
    for (const secret of [active.key, defaulted.key, old.key, rotated.key, active.apiKey.keyHash]) expect(html).not.toContain(secret);
  });

  it("is refused to support, marketing and members (403) and sends the signed-out to sign in", async () => {
    for (const roles of [["support"], ["marketing"], ["member"]] as const) {
      session.userId = (await createMemberUser(t.db, [...roles])).id;
      expect([roles[0], await render()]).toEqual([roles[0], "403"]);
    }
    session.userId = null;
    expect(await render()).toBe("redirect:/sign-in");
  });
});
