import { describe, expect, it } from "vitest";
import { navLinksFor } from "@/app/(staff)/staff/nav-links";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { runStaffForm } from "@/lib/forms/staff-form";
import { can, rolesAllow } from "@/lib/loyalty/access/staff-permissions";

describe("staff form actions", () => {
  const user = { id: "u1", roles: ["support" as const] };

  it("asks a signed-out user to sign in and never runs the service", async () => {
    let ran = false;
    const state = await runStaffForm(null, { a: "1" }, async () => {
      ran = true;
      return "done";
    });
    expect(ran).toBe(false);
    expect(state).toMatchObject({ status: "error", formError: expect.stringMatching(/sign in/i), values: { a: "1" } });
  });

  it("maps a refusal, bad input and a conflict to form states", async () => {
    const refused = await runStaffForm(user, {}, async () => {
      throw new LoyaltyError("forbidden", "nope");
    });
    expect(refused).toMatchObject({ status: "error", formError: "You are not allowed to do this.", fieldErrors: {} });
    const invalid = await runStaffForm(user, { points: "x" }, async () => {
      throw new LoyaltyError("validation_failed", "points: bad", { field: "points", details: { fieldErrors: { points: ["bad"] } } });
    });
    expect(invalid).toMatchObject({ formError: "Please correct the highlighted fields.", fieldErrors: { points: ["bad"] }, values: { points: "x" } });
    const negative = await runStaffForm(user, {}, async () => {
      throw new LoyaltyError("negative_balance", "This would take the balance from 5 to -5.", { field: "points" });
    });
    expect(negative).toMatchObject({ formError: "This would take the balance from 5 to -5.", fieldErrors: {} });
  });

  it("hides unexpected errors behind a generic message", async () => {
    const state = await runStaffForm(user, {}, async () => {
      throw new Error("connection refused: password=hunter2");
    });
    expect(state.status === "error" && state.formError).toBe("Something went wrong. Please try again.");
  });

  it("passes the user's roles to the service as its actor", async () => {
    const state = await runStaffForm(user, { q: "1" }, async (actor) => `${actor.kind}:${can(actor, "members:support")}:${can(actor, "audit:read")}`, {
      keepValues: true,
    });
    expect(state).toMatchObject({ status: "success", message: "user:true:false", values: { q: "1" } });
  });
});

describe("staff navigation", () => {
  it("shows each role only the sections it may open", () => {
    const hrefs = (roles: Parameters<typeof navLinksFor>[0]) => navLinksFor(roles).map((l) => l.href);
    expect(hrefs(["marketing"])).toEqual(["/staff", "/staff/campaigns", "/staff/rewards", "/staff/tiers", "/staff/program", "/staff/earning-rules"]);
    expect(hrefs(["support"])).toEqual(["/staff", "/staff/members"]);
    // Admins open every section there is.
    expect(new Set(hrefs(["admin"]))).toEqual(new Set(hrefs(["admin", "marketing", "support"])));
    expect(hrefs(["admin"])).toEqual(
      expect.arrayContaining([
        "/staff/campaigns",
        "/staff/rewards",
        "/staff/tiers",
        "/staff/program",
        "/staff/earning-rules",
        "/staff/members",
        "/staff/audit",
        "/staff/reports",
        "/staff/api-keys",
      ]),
    );
    expect(hrefs(["admin"])).toContain("/staff/accounts");
    expect([...hrefs(["support", "marketing"]), ...hrefs(["member"])]).not.toContain("/staff/accounts");
    expect(hrefs(["admin"])).toContain("/staff/dead-letters");
    expect(hrefs(["member"])).toEqual(["/staff"]);
    expect(rolesAllow(["member"], "members:support")).toBe(false);
    expect(rolesAllow(["support", "marketing"], "adjustments:approve")).toBe(false);
  });
});
