import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { env } from "@/lib/env";
import { REDACT_PATHS, REDACTED, serializeError } from "@/lib/log-redact";

// Plain JSON to stdout: no transport worker threads, which break under bundlers and serverless.
const globalForLog = globalThis as unknown as { __loyaltyLog?: Logger };

/** Secrets and personal data are redacted, errors logged without their parameters (lib/log-redact.ts). */
export function logOptions(level: LoggerOptions["level"]): LoggerOptions {
  return {
    level,
    base: { app: "loyalty" },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { err: serializeError, error: serializeError },
  };
}

export function log(): Logger {
  globalForLog.__loyaltyLog ??= pino(logOptions(env().LOG_LEVEL));
  return globalForLog.__loyaltyLog;
}

/** A logger with the same rules writing elsewhere (tests read what it wrote). */
export function logTo(destination: DestinationStream, level: LoggerOptions["level"] = "info"): Logger {
  return pino(logOptions(level), destination);
}
