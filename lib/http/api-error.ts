/**
 * Errors that belong to the HTTP edge rather than to the domain (bad JSON, body too large, missing
 * key). Domain failures stay LoyaltyErrors; both map to `{error, message, field?}` in one place.
 */
export const API_ERROR_STATUS = {
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  /** A method the route does not serve; the answer carries `Allow` (lib/http/methods.ts). */
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** The database is unreachable (refused, lost, shutting down): retry after `Retry-After` seconds. */
  service_unavailable: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly field?: string;

  constructor(code: ApiErrorCode, message: string, field?: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = field;
  }

  get status(): number {
    return API_ERROR_STATUS[this.code];
  }
}
