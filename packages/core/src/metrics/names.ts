/**
 * The names the handlers publish and the alarms and dashboard read. This
 * file has no dependencies, so the stacks can import it at synth. Every
 * dimension's values are a few fixed words, never an id.
 */

export const namespace = "SignupProvisioning";

/** Each handler's `service` dimension, the same name its logger uses. */
export const Service = {
  clerkWebhook: "clerk-webhook",
  stripeWebhook: "stripe-webhook",
  provision: "provision",
  site: "web",
  reconcile: "reconcile",
} as const;

export type Service = (typeof Service)[keyof typeof Service];

/**
 * Webhook metrics name the answer, not the sender: a Stripe webhook can
 * publish the same names under its own service.
 */
export const Metric = {
  /** By `eventType`, one of the few types the product handles. */
  webhookAccepted: "WebhookAccepted",
  webhookIgnored: "WebhookIgnored",
  /** Answered 4xx, by `reason`: the delivery was at fault. */
  webhookRejected: "WebhookRejected",
  /** Answered 5xx, by `reason`: Svix retries, an operator should look. */
  webhookFailed: "WebhookFailed",
  /** By `createdBy`: which path won the race to create the record. */
  customerCreated: "CustomerCreated",
  customerUpdated: "CustomerUpdated",
  customerDeleted: "CustomerDeleted",
  /** A Stripe event or a checkout return wrote the subscription state. */
  membershipSynced: "MembershipSynced",
  /** By `reason`: a queued event that changed nothing, as designed. */
  eventSkipped: "EventSkipped",
  /** By `failure`: permanent or transient. */
  provisionFailed: "ProvisionFailed",
  /** The site could not read or create a record and answered 503. */
  storageUnavailable: "StorageUnavailable",
} as const;

export type Metric = (typeof Metric)[keyof typeof Metric];
