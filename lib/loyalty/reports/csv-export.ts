import { stringify } from "csv-stringify/sync";

export interface CsvColumn<T> {
  key: keyof T & string;
  header: string;
}

/** Cells that a spreadsheet would run as a formula are prefixed with ' (CSV injection). */
function safeCell(value: unknown): unknown {
  return typeof value === "string" && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const CHUNK_ROWS = 500;

/**
 * Streams rows as CSV (csv-stringify), pulling from the source only as fast as the client reads:
 * an export of millions of rows holds one chunk in memory at a time.
 */
export function csvStream<T>(columns: readonly CsvColumn<T>[], rows: AsyncIterable<T> | Iterable<T>): ReadableStream<Uint8Array> {
  const iterator: AsyncIterator<T> | Iterator<T> =
    Symbol.asyncIterator in rows ? (rows as AsyncIterable<T>)[Symbol.asyncIterator]() : (rows as Iterable<T>)[Symbol.iterator]();
  const encoder = new TextEncoder();
  const keys = columns.map((c) => c.key);
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(stringify([columns.map((c) => c.header)])));
      }
      const chunk: unknown[][] = [];
      while (chunk.length < CHUNK_ROWS) {
        const next = await iterator.next();
        if (next.done) break;
        chunk.push(keys.map((k) => safeCell(next.value[k])));
      }
      if (chunk.length > 0) controller.enqueue(encoder.encode(stringify(chunk)));
      if (chunk.length < CHUNK_ROWS) controller.close();
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
