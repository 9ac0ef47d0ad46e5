import { createClerkClient } from "@clerk/backend";
import { isClerkAPIResponseError } from "@clerk/backend/errors";
import { ConfigError, UnavailableError } from "../errors";

/** Clerk's largest page for `GET /v1/users`. */
export const maxPageSize = 500;

export type Sleep = (ms: number) => Promise<void>;

export type ClerkUsersOptions = {
  secretKey: string;
  /** Clerk's Backend API by default; tests point it at a stand-in. */
  apiUrl?: string;
  pageSize?: number;
  /** Give up on a page after this many refused or failed attempts. */
  maxAttempts?: number;
  sleep?: Sleep;
  /** Told before each wait, so a caller can log the back-off. */
  onRetry?: (retry: { status?: number; waitMs: number }) => void;
};

// Clerk counts Backend API requests per instance in 10-second windows,
// so a 429 without Retry-After is waited out for one whole window.
const defaultRetryAfterSeconds = 10;
const defaultMaxAttempts = 8;

/**
 * Every Clerk user, a page at a time, as the raw JSON Clerk sends (the
 * same shape as a webhook's `data`). Pages go oldest first: users who
 * sign up during the run are appended at the end instead of shifting
 * the offsets of pages not read yet. A user deleted mid-run can still
 * shift them back by one; the next run catches whoever was skipped.
 */
export async function* clerkUserPages(
  options: ClerkUsersOptions,
): AsyncGenerator<unknown[]> {
  const clerk = createClerkClient({
    secretKey: options.secretKey,
    apiUrl: options.apiUrl,
    // Nothing here should call home beyond the API asked for.
    telemetry: { disabled: true },
  });
  const limit = options.pageSize ?? maxPageSize;
  for (let offset = 0; ; ) {
    const page = await withRetries(options, () =>
      clerk.users.getUserList({ limit, offset, orderBy: "+created_at" }),
    );
    const users = page.data.map((user) => user.raw ?? undefined);
    if (users.length > 0) yield users;
    if (users.length < limit) return;
    offset += users.length;
  }
}

async function withRetries<T>(
  options: ClerkUsersOptions,
  call: () => Promise<T>,
): Promise<T> {
  const sleep = options.sleep ?? wait;
  const maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      // The SDK turns every failed request, network errors included,
      // into this one class; anything else is a bug, not worth a retry.
      if (!isClerkAPIResponseError(error)) throw error;
      const status = error.status as number | undefined;
      if (status === 401 || status === 403) {
        throw new ConfigError(
          `Clerk refused CLERK_SECRET_KEY (${status})`,
          ["CLERK_SECRET_KEY"],
        );
      }
      const waitMs = retryDelay(status, error.retryAfter, attempt);
      if (waitMs === undefined || attempt >= maxAttempts) {
        throw new UnavailableError(
          `Clerk's user list failed: ${status ?? error.errors[0]?.code}`,
          { status, attempts: attempt },
          { cause: error },
        );
      }
      options.onRetry?.({ status, waitMs });
      await sleep(waitMs);
    }
  }
}

/**
 * How long to wait before trying again, or undefined when retrying
 * cannot help (a request Clerk refuses as malformed stays malformed).
 */
function retryDelay(
  status: number | undefined,
  retryAfterSeconds: number | undefined,
  attempt: number,
): number | undefined {
  if (status === 429) {
    return (retryAfterSeconds || defaultRetryAfterSeconds) * 1000;
  }
  // No status: the request never got an answer (network, DNS, timeout).
  if (status === undefined || status >= 500) {
    return Math.min(2 ** (attempt - 1), 30) * 1000;
  }
  return undefined;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
