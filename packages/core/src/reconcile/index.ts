import { ClerkEvent, profileOf } from "../clerk/events";
import * as Customer from "../customer";
import { InvalidInputError, UnavailableError } from "../errors";

export * from "./clerk-users";

/** What reconciliation did, or in a dry run would do, for one user. */
export type UserOutcome = "created" | "existing" | "skipped-as-deleted";

export type UserResult =
  | { userId: string; outcome: UserOutcome }
  | {
      userId?: string;
      outcome: "failed";
      /** The error's class name and message: never user data. */
      error: string;
      reason: string;
      fields?: string[];
      /** Storage failed, not this user's data. */
      storage: boolean;
    };

export type Report = {
  dryRun: boolean;
  /** False when the run stopped early (deadline); counts are partial. */
  complete: boolean;
  checked: number;
  /** In a dry run: the records that would be created. */
  created: number;
  existing: number;
  skippedAsDeleted: number;
  failed: number;
};

export type RunOptions = {
  dryRun?: boolean;
  /** Users checked at once; each check is one or two DynamoDB calls. */
  concurrency?: number;
  /** Epoch ms: no new page is started after this (a Lambda's timeout). */
  stopAt?: number;
  onUser?: (result: UserResult) => void;
};

// A wrong table or missing permissions fails every user alike; after
// this many failures in a row the run stops instead of trying them all.
const maxStorageFailuresInARow = 10;

/**
 * Makes sure every Clerk user has a customer record. A missing record
 * is created with `createdBy: "reconcile"` and Clerk's profile; an
 * existing one is left exactly as it is, and a tombstone stays one.
 */
export async function run(
  pages: AsyncIterable<unknown[]>,
  options: RunOptions = {},
): Promise<Report> {
  const report: Report = {
    dryRun: options.dryRun ?? false,
    complete: true,
    checked: 0,
    created: 0,
    existing: 0,
    skippedAsDeleted: 0,
    failed: 0,
  };
  let storageFailures = 0;
  const check = async (json: unknown) => {
    const result = await checkUser(json, report.dryRun);
    report.checked += 1;
    if (result.outcome === "failed") report.failed += 1;
    else if (result.outcome === "created") report.created += 1;
    else if (result.outcome === "existing") report.existing += 1;
    else report.skippedAsDeleted += 1;
    options.onUser?.(result);
    const storage = result.outcome === "failed" && result.storage;
    storageFailures = storage ? storageFailures + 1 : 0;
    if (storage && storageFailures >= maxStorageFailuresInARow) {
      throw new UnavailableError(result.reason);
    }
  };
  try {
    for await (const page of pages) {
      await inPool(page, options.concurrency ?? 8, check);
      if (options.stopAt !== undefined && Date.now() >= options.stopAt) {
        report.complete = false;
        break;
      }
    }
  } catch (error) {
    if (!(error instanceof UnavailableError)) throw error;
    // The counts so far still tell an operator how far the run got.
    throw new UnavailableError(
      `reconcile stopped: ${error.message}`,
      { ...report, complete: false },
      { cause: error },
    );
  }
  return report;
}

async function checkUser(
  json: unknown,
  dryRun: boolean,
): Promise<UserResult> {
  // Read with the webhook's own schema, as the data of a user.updated
  // event: a user reads the same whichever way it arrives.
  const parsed = ClerkEvent.safeParse({ type: "user.updated", data: json });
  if (!parsed.success || parsed.data.type === "user.deleted") {
    return {
      userId: userIdOf(json),
      outcome: "failed",
      error: "InvalidInputError",
      reason: "Clerk user does not match its schema",
      fields: parsed.error?.issues.map((issue) =>
        issue.path.slice(1).join("."),
      ),
      storage: false,
    };
  }
  const user = parsed.data.data;
  try {
    if (dryRun) {
      const existing = await Customer.find(user.id);
      return { userId: user.id, outcome: outcomeOf(existing) };
    }
    const ensured = await Customer.ensure(user.id, {
      createdBy: "reconcile",
      profile: profileOf(user),
    });
    const outcome =
      ensured.outcome === "created" ? "created" : outcomeOf(ensured.customer);
    return { userId: user.id, outcome };
  } catch (error) {
    const known =
      error instanceof InvalidInputError || error instanceof UnavailableError;
    if (!known) throw error;
    return {
      userId: user.id,
      outcome: "failed",
      error: error.name,
      reason: error.message,
      fields: error.data.fields as string[] | undefined,
      storage: error instanceof UnavailableError,
    };
  }
}

function outcomeOf(customer: Customer.Customer | undefined) {
  if (!customer) return "created";
  return customer.status === "deleted" ? "skipped-as-deleted" : "existing";
}

/** The id only when it looks like one: the rest of the user is unread. */
function userIdOf(json: unknown): string | undefined {
  const id = (json as { id?: unknown } | null)?.id;
  return Customer.UserId.safeParse(id).success ? (id as string) : undefined;
}

/**
 * Runs `work` over `items`, at most `size` at a time. The first failure
 * stops every worker from starting more.
 */
async function inPool<T>(
  items: T[],
  size: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, size) }, worker));
}
