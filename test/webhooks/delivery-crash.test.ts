import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { queryRows } from "@/db/client";
import { recordEvents } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";
import { webhookId } from "@/lib/webhooks/deliver";
import { createWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { startReceiver, waitFor } from "./receiver";

/** `npm run webhooks` as node itself with tsx as a loader, so SIGKILL hits the delivery process, not a wrapper. */
function spawnDelivery(databaseUrl: string, args: string[]): { child: ChildProcess; exited: Promise<void> } {
  const root = path.resolve(import.meta.dirname, "../..");
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/webhooks.ts", ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", NODE_ENV: "test" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return { child, exited: new Promise<void>((resolve) => child.once("exit", () => resolve())) };
}

describe("delivery process killed with SIGKILL mid-delivery", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("loses nothing: the killed process's claims come due again and every event arrives, with its webhook-id", { timeout: 90_000 }, async () => {
    const receiver = await startReceiver();
    // First the receiver holds every request open: the process is killed while they are in flight.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    receiver.answer = async () => {
      await held;
      return 200;
    };
    try {
      const endpoint = await createWebhookEndpoint(t.db, { url: receiver.url }, "test");
      for (const id of ["kill-1", "kill-2"]) await ensureMember(t.db, { externalId: id });
      const outcomes = await recordEvents(
        t.db,
        Array.from({ length: 20 }, (_, i) => ({
          type: "purchase" as const,
          memberExternalId: `kill-${(i % 2) + 1}`,
          referenceId: `kill-p${i}`,
          amountCents: 500,
        })),
        { actor: "test" },
      );
      expect(outcomes.every((o) => o.ok)).toBe(true);
      const events = await queryRows<{ id: number }>(t.db, sql`SELECT event_id::int AS id FROM webhook_deliveries ORDER BY event_id`);
      expect(events).toHaveLength(22);

      const args = ["--idle-ms", "50", "--lease-ms", "3000", "--timeout-ms", "2000", "--base-delay-ms", "50", "--max-delay-ms", "200"];
      const first = spawnDelivery(t.url, args);
      await waitFor(() => receiver.received.length === 22, 60_000);
      first.child.kill("SIGKILL");
      await first.exited;
      expect(first.child.signalCode).toBe("SIGKILL");

      // Claimed and attempted, never recorded as delivered.
      const [claimed] = await queryRows<{ pending: number; attempted: number }>(
        t.db,
        sql`SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE attempts = 1)::int AS attempted FROM webhook_deliveries`,
      );
      expect(claimed).toEqual({ pending: 22, attempted: 22 });
      const firstIds = receiver.received.map((r) => r.headers["webhook-id"]);
      receiver.received.length = 0;
      release();

      const second = spawnDelivery(t.url, args);
      try {
        await waitFor(async () => {
          const [r] = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'delivered'`);
          return r!.n === 22;
        }, 60_000);
      } finally {
        second.child.kill("SIGTERM");
        await second.exited;
      }
      const expected = events.map((e) => webhookId(e.id)).sort();
      expect([...firstIds].sort()).toEqual(expected);
      const secondIds = receiver.received.map((r) => r.headers["webhook-id"]);
      expect(new Set(secondIds)).toEqual(new Set(expected));
      const wh = new Webhook(endpoint.secret);
      for (const r of receiver.received) expect(() => wh.verify(r.body, r.headers)).not.toThrow();
    } finally {
      release();
      await receiver.close();
    }
  });
});
