/**
 * The one definition of the customers table and the provision queue.
 * The SST stacks and the offline stack both build from these values, so
 * what runs locally cannot drift from what is deployed.
 */

export const CustomersTable = {
  name: "customers",
  partitionKey: "userId",
} as const;

/** How long the provision consumer may run for one batch. */
const consumerTimeoutSeconds = 30;

export const ProvisionQueue = {
  name: "provision",
  deadLetterName: "provision-dlq",
  consumerTimeoutSeconds,
  // AWS advises a visibility timeout of at least six times the consumer's
  // timeout, so a batch retried by the event source mapping is not
  // redelivered to a second consumer while the first is still running.
  visibilityTimeoutSeconds: consumerTimeoutSeconds * 6,
  maxReceiveCount: 5,
  batchSize: 10,
  retentionDays: 4,
  // The DLQ keeps messages longer than the source queue: SQS keeps a
  // message's original enqueue time when it moves, so a shorter DLQ
  // retention would expire redriven messages early.
  deadLetterRetentionDays: 14,
} as const;

/** Larger webhook bodies are refused before anything else is checked. */
export const maxWebhookBodyBytes = 256 * 1024;

/**
 * The provision queue's message size, set explicitly on the deployed and
 * the local queue alike (AWS's default changed over time). The webhook
 * refuses an event whose message would not fit, rather than failing on
 * every retry.
 */
export const maxMessageBytes = 256 * 1024;
