import type { Db } from "@/db/client";
import { deliverDueWebhooks, type DeliveryOptions, type RoundResult } from "./deliver";

export interface RunOptions extends DeliveryOptions {
  /** Wait between rounds that found nothing due. */
  idleMs?: number;
  onRound?: (result: RoundResult) => void;
  onError?: (error: unknown) => void;
}

/**
 * The delivery loop of `npm run webhooks` (and of the dev server on the embedded database): rounds
 * back to back while there is work, a pause when there is none, until `signal` aborts. A failed
 * round (database away) is reported and retried after the pause; nothing is lost, the rows wait.
 */
export async function runWebhookDelivery(db: Db, signal: AbortSignal, options: RunOptions = {}): Promise<void> {
  const idleMs = options.idleMs ?? 1_000;
  while (!signal.aborted) {
    let busy = false;
    try {
      const result = await deliverDueWebhooks(db, options);
      busy = result.claimed > 0;
      if (busy) options.onRound?.(result);
    } catch (error) {
      options.onError?.(error);
    }
    if (!busy) await pause(idleMs, signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
