import type { ApplyOutcome } from "../provision";
import { Metric } from "./names";
import type { Dimensions, Recorder } from "./recorder";

/**
 * Every outcome of applying a Clerk or Stripe event, typed as a complete map so a
 * new outcome cannot go uncounted.
 */
const applied: Record<ApplyOutcome, [Metric, Dimensions?]> = {
  created: [Metric.customerCreated, { createdBy: "webhook" }],
  updated: [Metric.customerUpdated],
  deleted: [Metric.customerDeleted],
  stale: [Metric.eventSkipped, { reason: "stale" }],
  tombstoned: [Metric.eventSkipped, { reason: "tombstoned" }],
  "already-deleted": [Metric.eventSkipped, { reason: "already-deleted" }],
  synced: [Metric.membershipSynced],
  unchanged: [Metric.eventSkipped, { reason: "unchanged" }],
};

export function countApplied(recorder: Recorder, outcome: ApplyOutcome) {
  recorder.count(...applied[outcome]);
}

export type Failure = "permanent" | "transient";

export function countFailed(recorder: Recorder, failure: Failure) {
  recorder.count(Metric.provisionFailed, { failure });
}
