import { Metric } from "./names";
import type { Recorder } from "./recorder";

export type WebhookAnswer = { status: number; reason: string; type?: string };

/** The one 2xx that means "queued"; any other 2xx acknowledged a type. */
const enqueued = "enqueued";

/**
 * Counts one webhook answer as accepted, ignored, rejected or failed. Only
 * an accepted event's type becomes a dimension: it passed the schema, so
 * it is one of a handful; an ignored type could be anything Clerk adds.
 */
export function countWebhookAnswer(
  recorder: Recorder,
  { status, reason, type }: WebhookAnswer,
): void {
  if (status >= 500) recorder.count(Metric.webhookFailed, { reason });
  else if (status >= 400) recorder.count(Metric.webhookRejected, { reason });
  else if (reason !== enqueued) recorder.count(Metric.webhookIgnored);
  else {
    recorder.count(Metric.webhookAccepted, type ? { eventType: type } : {});
  }
}
