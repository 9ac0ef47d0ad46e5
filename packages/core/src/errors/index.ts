/**
 * The small error vocabulary of the product. Callers tell failures apart
 * by class, never by message text.
 */

/** The record asked for does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  constructor(
    message: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Input that can never succeed, however often it is retried. */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
  constructor(
    message: string,
    readonly data: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A dependency failed in a way that a later retry may not. */
export class UnavailableError extends Error {
  override name = "UnavailableError";
  constructor(
    message: string,
    readonly data: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
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
