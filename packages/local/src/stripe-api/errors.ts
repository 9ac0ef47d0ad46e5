/**
 * An error the API answers with, in Stripe's form:
 * `{ error: { type, code?, message, param? } }`. The SDK turns the
 * `type` into its error class (`invalid_request_error` becomes
 * `StripeInvalidRequestError`, `idempotency_error` `StripeIdempotencyError`).
 */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly details: { code?: string; param?: string } = {},
  ) {
    super(message);
  }

  body() {
    const { type, details, message } = this;
    return { error: { type, ...details, message } };
  }
}

export function invalid(message: string, param?: string, code?: string) {
  return new ApiError(400, "invalid_request_error", message, { code, param });
}

/**
 * An id that names nothing: 404 when it is the path's id, 400 naming the
 * parameter when it came in a parameter, as Stripe answers.
 */
export function noSuch(kind: string, id: string, param?: string) {
  return new ApiError(
    param ? 400 : 404,
    "invalid_request_error",
    `No such ${kind}: '${id}'`,
    { code: "resource_missing", param: param ?? "id" },
  );
}
