import * as Customer from "@app/core/customer";
import { countPageEnsure } from "@app/core/metrics";

/**
 * Get-or-create on a page request. The proxy and the pages both come
 * through here, so every record the site creates is counted once.
 */
export async function ensureForPage(userId: string) {
  const ensured = await Customer.ensure(userId, { createdBy: "page" });
  countPageEnsure(ensured.outcome);
  return ensured;
}
