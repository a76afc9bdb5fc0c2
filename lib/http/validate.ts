import type { z } from "zod";
import { ApiError } from "./api-error";

/** The first problem of a failed parse as `{field, message}`, field being the dotted path. */
export function describeZodError(error: z.ZodError, prefix: readonly (string | number)[] = []): { field?: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { message: "is invalid" };
  const path = [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
  if (issue.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const field = path.length > 0 ? path.join(".") : undefined;
  const message = issue.code === "unrecognized_keys" ? "is not a known field" : issue.message;
  return { field, message: field ? `${field}: ${message}` : message };
}

/** Parses `value` or throws a 400 `validation_failed` naming the first offending field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix: readonly (string | number)[] = []): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const { field, message } = describeZodError(result.error, prefix);
    throw new ApiError("validation_failed", message, field);
  }
  return result.data;
}

/** Query parameters as a plain object (a repeated parameter keeps its last value). */
export function searchParamsOf(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams);
}
