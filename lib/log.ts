import pino, { type Logger } from "pino";
import { env } from "@/lib/env";

// Plain JSON to stdout: no transport worker threads, which break under bundlers and serverless.
const globalForLog = globalThis as unknown as { __loyaltyLog?: Logger };

export function log(): Logger {
  globalForLog.__loyaltyLog ??= pino({ level: env().LOG_LEVEL, base: { app: "loyalty" } });
  return globalForLog.__loyaltyLog;
}
