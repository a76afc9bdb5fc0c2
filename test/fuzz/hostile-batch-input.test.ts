import { Readable } from "node:stream";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { hasControlCharacters, isInstantInRange } from "@/lib/loyalty/input/input-bounds";
import { importMembersCsv } from "@/lib/loyalty/members/import-members";
import { parseEntries, type RawEntry } from "@/lib/stream/entries";
import { EVENT_FIELD } from "@/lib/stream/names";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { badDate, badId, badInt, controlText, printableId, unicode, wrongType } from "./support/hostile";

/**
 * The two batch edges the route fuzzer does not reach: CSV member imports and stream entries. A bad
 * row or entry must fail alone, be reported, and never reach PostgreSQL in a form it refuses.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10);

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const csvCell = (v: string) => `"${v.replace(/"/g, '""')}"`;
/**
 * Control characters other than line breaks (a CSV line break is a new row, not a bad cell); a file
 * is UTF-8 bytes, so it cannot hold a lone surrogate either (it would be read as U+FFFD).
 */
const cellControl = controlText.map((s) => s.replace(/[\r\n]|\p{Cs}/gu, "\u0000"));

describe("CSV member import with hostile cells", () => {
  it("reports every hostile row by line, imports the others, and writes nothing PostgreSQL refuses", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({
              hostile: fc.constant(false),
              externalId: printableId,
              email: fc.constant(""),
              name: unicode.map((s) => s.replace(/[\r\n"]/g, "")).filter((s) => !hasControlCharacters(s) && s.trim() !== ""),
            }),
            fc.record({
              hostile: fc.constant(true),
              externalId: fc.oneof(printableId, cellControl, fc.constantFrom("", "a b", "x".repeat(201))),
              email: fc.oneof(fc.constant(""), cellControl, fc.constantFrom("not-an-email", `${"a".repeat(330)}@example.com`)),
              name: fc.oneof(
                cellControl,
                fc.tuple(fc.integer({ min: 201, max: 400 }), fc.constantFrom("x", "é", "日")).map(([n, c]) => c.repeat(n)),
              ),
            }),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        async (rows) => {
          run++;
          // Unique ids per run and row, so a fine row is created (not "existing") and counted.
          const lines = rows.map((r, i) => ({
            ...r,
            externalId: r.hostile && hasControlCharacters(r.externalId) ? r.externalId : `${r.externalId}-${run}-${i}`.slice(0, 200),
          }));
          const csv = ["externalId,email,name", ...lines.map((r) => [r.externalId, r.email, r.name].map(csvCell).join(","))].join("\n");
          const [before] = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM members`);
          const report = await importMembersCsv(t.db, Readable.from([csv]), { actor: "fuzz", source: "fuzz.csv", batchSize: 7 });
          const [after] = await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM members`);
          const invalidLines = new Set(report.invalid.map((p) => p.line));
          lines.forEach((r, i) => {
            const line = i + 2;
            if (r.hostile) expect(invalidLines.has(line), `line ${line} ${JSON.stringify(r).slice(0, 200)}`).toBe(true);
            else expect(invalidLines.has(line), `line ${line} ${JSON.stringify(r).slice(0, 200)} ${JSON.stringify(report.invalid)}`).toBe(false);
          });
          expect(report.created).toBe(lines.filter((r) => !r.hostile).length);
          expect(after!.n - before!.n).toBe(report.created);
        },
      ),
      { numRuns: RUNS },
    );
    const [stored] = await queryRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM members WHERE name ~ '[[:cntrl:]]' OR external_id ~ '[[:cntrl:]]'`,
    );
    expect(stored!.n).toBe(0);
  });
});

describe("stream entries with hostile payloads", () => {
  const hostileEvent = fc.record(
    {
      type: fc.oneof(fc.constantFrom("purchase", "review"), controlText, wrongType),
      memberExternalId: fc.oneof(printableId, badId),
      referenceId: fc.oneof(printableId, badId),
      amountCents: fc.oneof(fc.integer({ min: 1, max: 1000 }), badInt),
      occurredAt: fc.oneof(fc.constant("2026-01-01T00:00:00Z"), badDate),
    },
    { requiredKeys: [] },
  );
  const entryText = fc.oneof(
    hostileEvent.map((e) => JSON.stringify(e)),
    fc.string({ maxLength: 40 }),
    controlText,
    fc.constantFrom(
      '{"type":"review","memberExternalId":"m\\u0000","referenceId":"r"}',
      '{"a":"\\ud800"}',
      '{"__proto__":{"type":"review"},"constructor":1}',
      "\u0000",
      "{",
    ),
  );

  it("never throws; every valid event is within bounds and every poison payload can be stored as jsonb", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.oneof(
              entryText.map((text) => [EVENT_FIELD, text]),
              fc.constant(null),
              fc.constant(["other", "x"]),
            ),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        async (raw) => {
          const entries: RawEntry[] = raw.map(([n, fields], i) => [`${n}-${i}`, fields as string[] | null]);
          const parsed = parseEntries(entries);
          expect(parsed.valid.length + parsed.invalid.length + parsed.gone.length).toBe(entries.length);
          for (const { event } of parsed.valid) {
            expect(hasControlCharacters(event.memberExternalId) || hasControlCharacters(event.referenceId)).toBe(false);
            if (event.occurredAt) expect(isInstantInRange(new Date(event.occurredAt))).toBe(true);
          }
          for (const letter of parsed.invalid) {
            // What recordDeadLetters inserts: it must be a value jsonb accepts (NUL and lone surrogates are not).
            await queryRows(t.db, sql`SELECT ${JSON.stringify(letter.payload ?? null)}::jsonb AS payload`);
            expect(hasControlCharacters(letter.reason)).toBe(false);
          }
        },
      ),
      { numRuns: RUNS * 4 },
    );
  });
});
