/**
 * The small error vocabulary of the product. Callers tell failures apart
 * by class, never by message text.
 */

/** An error that carries ids for the log line, and its cause. */
abstract class ProductError extends Error {
  constructor(
    message: string,
    readonly data: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The record asked for does not exist. */
export class NotFoundError extends ProductError {
  override name = "NotFoundError";
}

/** Input that can never succeed, however often it is retried. */
export class InvalidInputError extends ProductError {
  override name = "InvalidInputError";
}

/** A dependency failed in a way that a later retry may not. */
export class UnavailableError extends ProductError {
  override name = "UnavailableError";
}

/** A required setting is missing or malformed. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    message: string,
    readonly variables: string[],
  ) {
    super(message);
  }
}

export function isPermanent(error: unknown): boolean {
  return error instanceof InvalidInputError;
}

/**
 * The most telling name for a failure: the service's error name, or the
 * network error code (ECONNREFUSED, ...) when the SDK only says "Error".
 */
export function errorCode(error: unknown): string {
  if (!(error instanceof Error)) return "Unknown";
  if (error.name !== "Error") return error.name;
  const withCode = error as Error & {
    code?: string;
    cause?: { code?: string };
  };
  return withCode.code ?? withCode.cause?.code ?? error.name;
}
