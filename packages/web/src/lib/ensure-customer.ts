import * as Customer from "@app/core/customer";
import { UnavailableError } from "@app/core/errors";
import { countPageEnsure, countStorageUnavailable } from "@app/core/metrics";

/**
 * Get-or-create on a page request. The proxy and the pages both come
 * through here, so every record the site creates is counted once.
 */
export async function ensureForPage(userId: string) {
  try {
    const ensured = await Customer.ensure(userId, { createdBy: "page" });
    countPageEnsure(ensured.outcome);
    return ensured;
  } catch (error) {
    if (error instanceof UnavailableError) countStorageUnavailable();
    throw error;
  }
}
