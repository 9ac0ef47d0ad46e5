import type { EnsureOutcome } from "../customer";
import { Metric, Service } from "./names";
import { Recorder } from "./recorder";

let site: Recorder | undefined;

/**
 * Counts a record the site created. The site is a long-lived server with
 * no invocation to flush at the end of, so the count is written at once;
 * a lost race or an existing record is counted by whoever created it.
 */
export function countPageEnsure(outcome: EnsureOutcome): void {
  if (outcome !== "created") return;
  site ??= new Recorder(Service.site);
  site.count(Metric.customerCreated, { createdBy: "page" });
  site.flush();
}

/** Counts a request that storage failed, which the user saw as a 503. */
export function countStorageUnavailable(): void {
  site ??= new Recorder(Service.site);
  site.count(Metric.storageUnavailable);
  site.flush();
}
