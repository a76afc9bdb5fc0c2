import { CONTROL_MESSAGE, hasControlCharacters } from "@/lib/loyalty/input/input-bounds";
import { ApiError } from "./api-error";

/** Limits on a request body, in bytes: a batch of 1,000 events fits in 1 MB, anything else in 16 KB. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;
export const BATCH_BODY_LIMIT = 1024 * 1024;

function tooLarge(maxBytes: number): ApiError {
  return new ApiError("payload_too_large", `The request body is larger than ${maxBytes} bytes`);
}

/**
 * Reads the body as text, stopping as soon as it passes `maxBytes` (a lying or absent
 * Content-Length cannot make us buffer more), then parses it as JSON and refuses control
 * characters and deep nesting (assertPlainJson).
 */
export async function readJsonBody(request: Request, maxBytes: number = DEFAULT_BODY_LIMIT, options: { checkText?: boolean } = {}): Promise<unknown> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);

  const text = await readTextWithLimit(request, maxBytes);
  if (text.trim() === "") throw new ApiError("invalid_json", "The request body is empty; a JSON object is expected");
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid JSON");
  }
  // A batch checks each item on its own (its schema refuses control characters), so that one bad
  // event fails alone; every other body is checked whole.
  if (options.checkText !== false) assertPlainJson(value);
  return value;
}

/** Deeper than any body of ours: a hostile body is refused before a schema walks it. */
export const MAX_JSON_DEPTH = 16;

/**
 * No key or string anywhere in the body carries a control character (PostgreSQL refuses NUL in
 * text; none of our fields takes any), and nothing nests deeper than MAX_JSON_DEPTH. Checked once
 * here for every route, whatever its schema, and named by its dotted path.
 */
export function assertPlainJson(value: unknown, path: (string | number)[] = []): void {
  if (path.length > MAX_JSON_DEPTH) throw new ApiError("invalid_json", `The request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  const field = () => (path.length > 0 ? path.join(".") : undefined);
  if (typeof value === "string") {
    if (hasControlCharacters(value)) {
      throw new ApiError("validation_failed", field() ? `${field()}: ${CONTROL_MESSAGE}` : CONTROL_MESSAGE, field());
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlainJson(item, [...path, i]));
    return;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (hasControlCharacters(key)) throw new ApiError("validation_failed", "A field name contains control characters", field());
      assertPlainJson(item, [...path, key]);
    }
  }
}

async function readTextWithLimit(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid UTF-8");
  }
}
