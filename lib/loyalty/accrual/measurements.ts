/**
 * Measurements the domain reports (accrual batches), for listeners such as the Prometheus
 * registry (lib/metrics) to record; the domain knows nothing of them. Listeners are synchronous
 * and must not throw: they run on the write path, after the commit.
 */
export interface AccrualBatchMeasurement {
  /** Events in the batch, valid or not. */
  events: number;
  /** Events that reached the transaction (valid ones). */
  accepted: number;
  /** Time in the database transaction, retries included. */
  durationMs: number;
}

type AccrualBatchListener = (measurement: AccrualBatchMeasurement) => void;

const globalForMeasurements = globalThis as unknown as { __loyaltyAccrualListeners?: Set<AccrualBatchListener> };
const listeners = (globalForMeasurements.__loyaltyAccrualListeners ??= new Set());

export function onAccrualBatch(listener: AccrualBatchListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function reportAccrualBatch(measurement: AccrualBatchMeasurement): void {
  for (const listener of listeners) {
    try {
      listener(measurement);
    } catch {
      // A measurement is never worth failing a committed write.
    }
  }
}
