import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { queryRows, type Db } from "@/db/client";
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from "./backoff";
import { decryptWebhookSecret } from "./secret";
import { blockedRange, guardedLookup, privateTargetsAllowed, systemResolver, WebhookTargetRefused, type Resolver } from "./target";

export interface DeliveryOptions {
  /** Deliveries claimed per round. */
  batchSize?: number;
  /** How long a claim keeps others off (longer than the request timeout): a killed process's claims lapse after it. */
  leaseMs?: number;
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  random?: () => number;
  /** How host names are resolved for the target check (tests); the system resolver by default. */
  resolve?: Resolver;
}

interface Claimed {
  id: number;
  attempts: number;
  event_id: number;
  payload: unknown;
  url: string;
  secret_encrypted: string;
}

/** The webhook-id of an event: the same on every attempt and for every endpoint, for receivers to deduplicate on. */
export function webhookId(eventId: number): string {
  return `evt_${eventId}`;
}

/**
 * Claims due deliveries of enabled endpoints: FOR UPDATE SKIP LOCKED so concurrent delivery
 * processes take different rows, and the claim moves next_attempt_at forward by the lease and
 * counts the attempt, committed before anything is sent. A process that dies after the claim
 * leaves rows that come due again when the lease ends: at-least-once, never lost.
 */
async function claim(db: Db, batchSize: number, leaseMs: number): Promise<Claimed[]> {
  return queryRows<Claimed>(
    db,
    sql`WITH due AS (
          SELECT d.id FROM webhook_deliveries d
          JOIN webhook_endpoints ep ON ep.id = d.endpoint_id AND ep.enabled
          WHERE d.status = 'pending' AND d.next_attempt_at <= now()
          ORDER BY d.next_attempt_at, d.id
          LIMIT ${batchSize}
          FOR UPDATE OF d SKIP LOCKED
        )
        UPDATE webhook_deliveries d
        SET attempts = d.attempts + 1, last_attempt_at = now(),
            next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
        FROM due, webhook_events e, webhook_endpoints ep
        WHERE d.id = due.id AND e.id = d.event_id AND ep.id = d.endpoint_id
        RETURNING d.id::int AS id, d.attempts, d.event_id::int AS event_id, e.payload, ep.url, ep.secret_encrypted`,
  );
}

interface Outcome {
  ok: boolean;
  status: number | null;
  response: string;
  /** Not worth retrying: the target is refused (a private address), so the delivery fails now. */
  final?: boolean;
}

async function send(row: Claimed, timeoutMs: number, resolve: Resolver): Promise<Outcome> {
  const secret = decryptWebhookSecret(row.secret_encrypted);
  if (!secret) return { ok: false, status: null, response: "The endpoint's secret cannot be read (AUTH_SECRET changed?)" };
  const body = JSON.stringify(row.payload);
  const id = webhookId(row.event_id);
  const timestamp = new Date();
  try {
    const answer = await post(
      row.url,
      {
        "content-type": "application/json",
        "user-agent": "loyalty-webhooks/1",
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
        "webhook-signature": new Webhook(secret).sign(id, timestamp, body),
      },
      body,
      timeoutMs,
      resolve,
    );
    return { ok: answer.status >= 200 && answer.status < 300, status: answer.status, response: answer.text.slice(0, 1000) };
  } catch (error) {
    if (error instanceof WebhookTargetRefused) return { ok: false, status: null, response: error.message.slice(0, 1000), final: true };
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return { ok: false, status: null, response: cause.slice(0, 1000) };
  }
}

/**
 * One POST with node's http(s) (not fetch: its lookup cannot be replaced without undici's own
 * package). Unless WEBHOOK_ALLOW_PRIVATE_TARGETS is set, an IP literal in a refused range is refused
 * before connecting and a host name through the guarded lookup, so the address connected to is the
 * address checked (lib/webhooks/target.ts). Redirects are not followed: a 3xx is an answer.
 */
function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, resolver: Resolver): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  const allowPrivate = privateTargetsAllowed();
  if (!allowPrivate) {
    const literal = target.hostname.replace(/^\[|\]$/g, "");
    const range = isIP(literal) !== 0 ? blockedRange(literal) : null;
    if (range) return Promise.reject(new WebhookTargetRefused(`refused: ${literal} is a ${range} address (webhooks go to public hosts only)`));
  }
  const request = target.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(timeoutMs),
        ...(allowPrivate ? {} : { lookup: guardedLookup(resolver) }),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          // The start of the answer is all the log keeps; a receiver's endless body is cut here.
          if (size < 4096) chunks.push(chunk);
          size += chunk.length;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    req.on("error", (error: Error) =>
      reject(error.name === "AbortError" || error.name === "TimeoutError" ? new Error(`no answer within ${timeoutMs / 1000} s`) : error),
    );
    req.end(body);
  });
}

/**
 * Records an attempt's outcome, only if the claim is still ours (same attempt count, still
 * pending): a process that outlived its lease cannot overwrite a newer attempt.
 */
async function record(db: Db, row: Claimed, outcome: Outcome, options: Required<DeliveryOptions>): Promise<"delivered" | "retry" | "failed"> {
  const delay = outcome.ok || outcome.final ? null : retryDelayMs(row.attempts, options.random(), options.retry);
  const status = outcome.ok ? "delivered" : delay === null ? "failed" : "pending";
  await db.execute(sql`
    UPDATE webhook_deliveries
    SET status = ${status}, last_status = ${outcome.status}, last_response = ${outcome.response},
        delivered_at = ${outcome.ok ? sql`now()` : sql`NULL`},
        next_attempt_at = ${delay === null ? sql`next_attempt_at` : sql`now() + make_interval(secs => ${delay / 1000})`}
    WHERE id = ${row.id} AND attempts = ${row.attempts} AND status = 'pending'`);
  return outcome.ok ? "delivered" : delay === null ? "failed" : "retry";
}

export interface RoundResult {
  claimed: number;
  delivered: number;
  retried: number;
  failed: number;
}

/** One round: claim a batch, send each (in parallel), record each outcome. */
export async function deliverDueWebhooks(db: Db, options: DeliveryOptions = {}): Promise<RoundResult> {
  const o: Required<DeliveryOptions> = {
    batchSize: options.batchSize ?? 50,
    leaseMs: options.leaseMs ?? 60_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    retry: options.retry ?? DEFAULT_RETRY_POLICY,
    random: options.random ?? Math.random,
    resolve: options.resolve ?? systemResolver,
  };
  const rows = await claim(db, o.batchSize, o.leaseMs);
  const result: RoundResult = { claimed: rows.length, delivered: 0, retried: 0, failed: 0 };
  await Promise.all(
    rows.map(async (row) => {
      const outcome = await record(db, row, await send(row, o.requestTimeoutMs, o.resolve), o);
      if (outcome === "delivered") result.delivered++;
      else if (outcome === "retry") result.retried++;
      else result.failed++;
    }),
  );
  return result;
}
