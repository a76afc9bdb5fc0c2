import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { setDbHandle } from "@/db/client";
import { users } from "@/db/schema";
import { RateLimits, setRateLimits } from "@/lib/rate-limit/rate-limits";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { createMemberUser } from "./fixtures";

// The actions' Next.js surroundings: who is signed in, the request's headers.
const session = vi.hoisted(() => ({ userId: null as string | null, forwardedFor: "127.0.0.9" }));
vi.mock("@/auth", () => ({
  auth: async () => (session.userId ? { user: { id: session.userId } } : null),
  // A successful sign-up signs in and redirects: answered as the redirect Auth.js would send.
  signIn: async () => {
    const { redirect } = await import("next/navigation");
    redirect("/");
  },
  signOut: async () => {},
  handlers: {},
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ host: "localhost", "x-forwarded-for": session.forwardedFor }),
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false, set: () => {}, delete: () => {} }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));

const { signUpAction } = await import("@/app/(auth)/sign-up/sign-up-action");
const { resendAction } = await import("@/app/(auth)/check-email/resend-action");
const { POST: recalculate } = await import("@/app/(staff)/staff/tiers/recalculate/route");

/** A server action's answer, or the redirect it threw. */
async function outcome<T>(run: () => Promise<T>): Promise<T | string> {
  try {
    return await run();
  } catch (error) {
    const digest = (error as { digest?: string }).digest ?? "";
    if (digest.startsWith("NEXT_REDIRECT")) return `redirect:${digest.split(";")[2]}`;
    throw error;
  }
}

describe("rate limits of sign-up, the resend link and tier recalculation", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    setDbHandle(t.connect());
  });
  afterAll(async () => {
    setDbHandle(undefined);
    await t.drop();
  });
  beforeEach(() => {
    setRateLimits(new RateLimits({ kind: "memory" }));
    session.userId = null;
  });

  it("sign-up: 10 an hour per client address, refused before anything is written", async () => {
    const form = (n: number) => {
      const f = new FormData();
      f.set("name", `Ada ${n}`);
      f.set("email", `rl-signup-${n}@example.com`);
      f.set("password", "correct horse battery staple");
      return f;
    };
    session.forwardedFor = "127.0.0.9";
    for (let n = 0; n < 10; n++) expect(await outcome(() => signUpAction({ status: "idle" }, form(n)))).toBe("redirect:/");
    const refused = await outcome(() => signUpAction({ status: "idle" }, form(10)));
    expect(refused).toMatchObject({ status: "error", formError: expect.stringMatching(/^Too many attempts\. Please try again in \d+ minutes\.$/) });
    expect(await t.db.$count(users, eq(users.email, "rl-signup-10@example.com"))).toBe(0);
    // Another address has its own budget.
    session.forwardedFor = "127.0.0.10";
    expect(await outcome(() => signUpAction({ status: "idle" }, form(11)))).toBe("redirect:/");
  });

  it("resend link: 5 an hour per account", async () => {
    // An account without email is enrolled by its first resend; each later one answers "linked" (a redirect home).
    const [user] = await t.db.insert(users).values({ name: "No Mail" }).returning({ id: users.id });
    session.userId = user!.id;
    for (let i = 0; i < 5; i++) expect(await outcome(() => resendAction())).toBe("redirect:/");
    expect(await outcome(() => resendAction())).toMatchObject({ status: "error", formError: expect.stringMatching(/^Too many attempts/) });
    // Another account is not affected.
    const [other] = await t.db.insert(users).values({ name: "Other" }).returning({ id: users.id });
    session.userId = other!.id;
    expect(await outcome(() => resendAction())).toBe("redirect:/");
  });

  it("tier recalculation from the console: 3 per quarter hour per staff user, then 429 with Retry-After", async () => {
    const staff = await createMemberUser(t.db, ["marketing"]);
    session.userId = staff.id;
    const post = () =>
      recalculate(new Request("http://localhost/staff/tiers/recalculate", { method: "POST", headers: { origin: "http://localhost", host: "localhost" } }));
    for (let i = 0; i < 3; i++) {
      const response = await post();
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/"type":"done"/);
    }
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(await refused.json()).toMatchObject({ error: "rate_limited" });
    const other = await createMemberUser(t.db, ["admin"]);
    session.userId = other.id;
    const allowed = await post();
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(/"type":"done"/);
  });
});
