import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { env } from "@/lib/env";
import { DEV_JOBS, shouldScheduleDevJobs, startDevScheduler, type ScheduledJob } from "@/lib/jobs/dev-scheduler";
import { createTestDatabase, type TestDatabase } from "../support/test-database";

describe("which process runs the periodic jobs itself", () => {
  it.each([
    [{ NODE_ENV: "development", DATABASE_URL: undefined, DEV_JOBS: "on" }, true],
    [{ NODE_ENV: "development", DATABASE_URL: "postgres://127.0.0.1/loyalty", DEV_JOBS: "on" }, false],
    [{ NODE_ENV: "production", DATABASE_URL: undefined, DEV_JOBS: "on" }, false],
    [{ NODE_ENV: "production", DATABASE_URL: "postgres://127.0.0.1/loyalty", DEV_JOBS: "on" }, false],
    [{ NODE_ENV: "test", DATABASE_URL: undefined, DEV_JOBS: "on" }, false],
    [{ NODE_ENV: "development", DATABASE_URL: undefined, DEV_JOBS: "off" }, false],
  ] as const)("%j: %s", (settings, expected) => {
    expect(shouldScheduleDevJobs(settings)).toBe(expected);
  });

  it("not this test run", () => {
    expect(shouldScheduleDevJobs(env())).toBe(false);
  });

  it("covers every cron route", async () => {
    const { readdirSync } = await import("node:fs");
    const routes = readdirSync("app/api/cron").sort();
    expect(DEV_JOBS.map((j) => j.name).sort()).toEqual(routes);
  });
});

describe("the in-process scheduler", () => {
  afterEach(() => vi.useRealTimers());

  it("runs each job soon after start, then at its interval, one at a time", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-02T00:00:00Z") });
    const runs: string[] = [];
    let running = 0;
    let overlapped = false;
    const job = (name: string, everyMs: number, takesMs: number): ScheduledJob => ({
      name,
      everyMs,
      run: async (_db, now) => {
        if (running++ > 0) overlapped = true;
        runs.push(`${name}@${now.toISOString().slice(11, 19)}`);
        await new Promise((resolve) => setTimeout(resolve, takesMs));
        running--;
      },
    });
    const failing: ScheduledJob = {
      name: "failing",
      everyMs: 60_000,
      run: async () => {
        throw new Error("database away");
      },
    };
    const scheduler = startDevScheduler({
      db: () => ({}) as never,
      jobs: [job("holds", 60_000, 5_000), job("vest", 300_000, 1_000), failing],
      firstDelayMs: 10_000,
      tickMs: 15_000,
      clock: () => new Date(),
    });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    scheduler.stop();
    expect(overlapped).toBe(false);
    // holds every minute from 00:00:10 (its 5 s run delays vest's first turn), vest every 5 minutes;
    // the failing job does not stop the others.
    expect(runs.filter((r) => r.startsWith("holds"))).toHaveLength(10);
    expect(runs.filter((r) => r.startsWith("vest"))).toEqual(["vest@00:00:15", "vest@00:05:15"]);
    expect(runs[0]).toBe("holds@00:00:10");
    const after = runs.length;
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(runs).toHaveLength(after);
  });
});

describe("the dev jobs on a real database", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it("each runs and answers its summary", async () => {
    for (const job of DEV_JOBS) {
      await expect(job.run(t.db, new Date()), job.name).resolves.toEqual(expect.any(Object));
    }
  });
});
