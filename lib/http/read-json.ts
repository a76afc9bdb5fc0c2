import { ApiError } from "./api-error";

/** Limits on a request body, in bytes: a batch of 1,000 events fits in 1 MB, anything else in 16 KB. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;
export const BATCH_BODY_LIMIT = 1024 * 1024;

function tooLarge(maxBytes: number): ApiError {
  return new ApiError("payload_too_large", `The request body is larger than ${maxBytes} bytes`);
}

/**
 * Reads the body as text, stopping as soon as it passes `maxBytes` (a lying or absent
 * Content-Length cannot make us buffer more), then parses it as JSON.
 */
export async function readJsonBody(request: Request, maxBytes: number = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);

  const text = await readTextWithLimit(request, maxBytes);
  if (text.trim() === "") throw new ApiError("invalid_json", "The request body is empty; a JSON object is expected");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid JSON");
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
