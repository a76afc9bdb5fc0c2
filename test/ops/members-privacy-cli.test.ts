import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import { auditLog, members } from "@/db/schema";
import { createStaffAccount } from "@/lib/auth/staff-accounts";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { runCli } from "./support/run-cli";

/** `members export` and `members erase` call the console's and the API's services, as a named staff account. */
describe("npm run cli -- members export|erase (against PostgreSQL)", () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  let dir: string;
  let adminId: string;
  let supportId: string;
  let memberId: number;
  beforeAll(async () => {
    t = await createTestDatabase();
    // The erasure's digest of the old external id is keyed from AUTH_SECRET: one for every run.
    env = { DATABASE_URL: t.url, AUTH_SECRET: "cli-privacy-test-secret-0123456789abcdef" };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "members-privacy-cli-"));
    adminId = (await createStaffAccount(t.db, "cli", { email: "Ada.Admin@example.com", roles: ["admin"] })).user.id;
    supportId = (await createStaffAccount(t.db, "cli", { email: "sam.support@example.com", roles: ["support"] })).user.id;
    memberId = (await ensureMember(t.db, { externalId: "crm-cli-9", email: "Philippa.Marchbanks@example.org", name: "Philippa Marchbanks" })).member.id;
    await recordEvents(t.db, [{ type: "purchase", memberExternalId: "crm-cli-9", referenceId: "cli-p-1", amountCents: 12_300 }], { actor: "test" });
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.drop();
  });

  const entries = (action: string) =>
    t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, action), eq(auditLog.memberId, memberId)))
      .orderBy(asc(auditLog.id));

  it("export writes the member's data to --out, audited as the staff account via cli, and never overwrites a file", async () => {
    const out = path.join(dir, "crm-cli-9.json");
    const run = await runCli(["members", "export", "--external-id", "crm-cli-9", "--out", out, "--actor", "sam.support@example.com"], env);
    expect(run.stderr).toContain(`Wrote member ${memberId}'s data to ${out}`);
    expect(run.code).toBe(0);
    const data = JSON.parse(fs.readFileSync(out, "utf8")) as { format: string; member: { id: number; email: string }; transactions: unknown[] };
    expect(data).toMatchObject({ format: "loyalty-member-export/1", member: { id: memberId, email: "Philippa.Marchbanks@example.org" } });
    expect(data.transactions).toHaveLength(1);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const [audit, ...more] = await entries("member.export");
    expect(more).toEqual([]);
    expect(audit).toMatchObject({ actor: `user:${supportId}`, after: { via: "cli", transactions: 1 } });

    const again = await runCli(["members", "export", "--external-id", "crm-cli-9", "--out", out], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("exists");
    expect(await entries("member.export")).toHaveLength(1);
  });

  it("export without --out prints the JSON; an unknown member exits 1", async () => {
    const run = await runCli(["members", "export", "--external-id", "crm-cli-9"], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ member: { id: memberId } });
    const missing = await runCli(["members", "export", "--external-id", "nobody-here"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Error: No such member.");
  });

  it("erase refuses a missing reason or actor, an unknown account and a support account, and changes nothing", async () => {
    for (const [args, message] of [
      [["--external-id", "crm-cli-9", "--actor", "ada.admin@example.com"], "--reason is required"],
      [["--external-id", "crm-cli-9", "--reason", "data request 12"], "--actor is required"],
      [["--external-id", "crm-cli-9", "--reason", "data request 12", "--actor", "ghost@example.com"], "No staff account with the email ghost@example.com"],
      [["--external-id", "crm-cli-9", "--reason", "data request 12", "--actor", "sam.support@example.com"], "Not allowed: members:erase needs the role admin"],
      [["--external-id", "crm-cli-9", "--reason", "Philippa Marchbanks asked", "--actor", "ada.admin@example.com"], "must not contain the member's name"],
    ] as const) {
      const run = await runCli(["members", "erase", ...args], env);
      expect(run.stderr).toContain(message);
      expect(run.code).toBe(1);
    }
    const [m] = await t.db.select().from(members).where(eq(members.id, memberId));
    expect(m).toMatchObject({ externalId: "crm-cli-9", erasedAt: null });
    expect(await entries("member.erase")).toEqual([]);
  });

  it("erase, as the admin account: the tombstone, the audit entry naming the admin and the reason; a repeat changes nothing", async () => {
    const run = await runCli(["members", "erase", "--external-id", "crm-cli-9", "--reason", "data request 12", "--actor", "ADA.admin@example.com"], env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Erased member ${memberId}: now erased:${memberId};`);
    expect(run.stdout).toContain("the balance of 123 points stays on the books");
    const [m] = await t.db.select().from(members).where(eq(members.id, memberId));
    expect(m).toMatchObject({ externalId: `erased:${memberId}`, email: null, name: null });
    const [audit, ...more] = await entries("member.erase");
    expect(more).toEqual([]);
    expect(audit).toMatchObject({ actor: `user:${adminId}`, reason: "data request 12", after: { externalId: `erased:${memberId}`, balance: 123 } });

    const again = await runCli(["members", "erase", "--external-id", "crm-cli-9", "--reason", "data request 12", "--actor", "ada.admin@example.com"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Member ${memberId} was already erased on`);
    expect(JSON.parse(again.stdout.trim().split("\n").at(-1)!)).toMatchObject({ alreadyErased: true, memberId });
    expect(await entries("member.erase")).toHaveLength(1);
  });
});
