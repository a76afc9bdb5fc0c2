import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { runWebhookDelivery } from "./run-delivery";

let started = false;

/**
 * On the embedded PGlite database (no DATABASE_URL) only one process may open the data directory,
 * so `npm run webhooks` cannot run beside the dev server: the server delivers itself, in the
 * background of this process. With PostgreSQL, delivery is `npm run webhooks`'s job alone.
 */
export function startEmbeddedWebhookDelivery(): void {
  if (started || env().DATABASE_URL) return;
  started = true;
  void runWebhookDelivery(getDb(), new AbortController().signal, {
    idleMs: 2_000,
    onError: (error) => log().error({ err: error }, "webhook round failed"),
  });
}
