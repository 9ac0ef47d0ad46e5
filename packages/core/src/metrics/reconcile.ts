import { Metric } from "./names";
import type { Recorder } from "./recorder";

/** Counts a record the daily reconciliation had to create. */
export function countReconciled(recorder: Recorder, outcome: string): void {
  if (outcome !== "created") return;
  recorder.count(Metric.customerCreated, { createdBy: "reconcile" });
}
