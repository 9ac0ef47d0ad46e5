import { ConfigError, UnavailableError } from "@app/core/errors";
import * as Reconcile from "@app/core/reconcile";
import { OpsError } from "./errors";

/**
 * Runs reconciliation from an operator's machine against the target's
 * table, with the Clerk key of the instance that signs its users up.
 */
export async function reconcile(options: {
  secretKey?: string;
  apiUrl?: string;
  dryRun: boolean;
  onRetry?: (retry: { status?: number; waitMs: number }) => void;
  onFailure?: (result: Reconcile.UserResult) => void;
}): Promise<Reconcile.Report> {
  if (!options.secretKey) {
    throw new OpsError(
      "CLERK_SECRET_KEY is not set: reconcile reads the users from Clerk",
      2,
    );
  }
  const pages = Reconcile.clerkUserPages({
    secretKey: options.secretKey,
    apiUrl: options.apiUrl,
    onRetry: options.onRetry,
  });
  try {
    return await Reconcile.run(pages, {
      dryRun: options.dryRun,
      onUser: (result) => {
        if (result.outcome === "failed") options.onFailure?.(result);
      },
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UnavailableError) {
      throw new OpsError(error.message);
    }
    throw error;
  }
}
