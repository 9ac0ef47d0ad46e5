import { Duration } from "aws-cdk-lib";
import {
  ComparisonOperator,
  MathExpression,
  TreatMissingData,
  type Alarm,
  type AlarmProps,
} from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Metric, Service } from "../packages/core/src/metrics/names.js";
import { published } from "./monitoring-metrics.js";

/** Makes an alarm that evaluates one period and notifies the topic. */
export type Raise = (
  id: string,
  options: Omit<AlarmProps, "evaluationPeriods">,
) => Alarm;

export type Watched = {
  queue: IQueue;
  dlq: IQueue;
  webhook: IFunction;
  stripeWebhook: IFunction;
  consumer: IFunction;
};

export function signalAlarms(raise: Raise, input: Watched) {
  return {
    // SQS reports a queue's metrics only while it is active; a DLQ that
    // holds a message is, so no data means an empty DLQ.
    deadLetters: raise("dead-letters", {
      alarmDescription:
        "A provision message failed five receives and waits in the DLQ " +
        "with its body unchanged. Read the consumer's 'message failed' " +
        "log line for it, fix the cause, then redrive the DLQ.",
      metric: input.dlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: "Maximum",
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    // Messages are applied within seconds, so five minutes means the
    // consumer is down, failing, or throttled. A poison message trips it
    // too, before it reaches the DLQ: SQS stops counting a message in this
    // age after its third receive, about six minutes in. An idle, empty
    // queue reports nothing, hence missing data is not breaching.
    oldestMessage: raise("provision-backlog", {
      alarmDescription:
        "The oldest message in the provision queue is over five minutes " +
        "old: new customers are not getting their profile. Check the " +
        "consumer's errors and the customers table.",
      metric: input.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: "Maximum",
      }),
      threshold: 300,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    // The handler answers 500 itself when its secret is bad or the queue
    // refuses a message, which Lambda does not count as an error: its own
    // WebhookFailed count covers those, Lambda's Errors the crashes and
    // timeouts. Both are written only when something happens, so no data
    // means no failure. Svix retries every 5xx, yet each one is a fault
    // here: no healthy request answers 5xx.
    webhookFailures: raise("webhook-5xx", {
      alarmDescription:
        "The Clerk or the Stripe webhook answered 5xx: its secret is " +
        "missing or malformed, the queue refused a message, or the " +
        "function failed. Svix retries for about a day, Stripe for three; " +
        "read the 'webhook answered' lines of the service named.",
      metric: new MathExpression({
        label: "webhook 5xx",
        expression:
          "FILL(clerk, 0) + FILL(clerkCrashed, 0) + " +
          "FILL(stripe, 0) + FILL(stripeCrashed, 0)",
        usingMetrics: {
          clerk: published(Metric.webhookFailed, Service.clerkWebhook),
          clerkCrashed: input.webhook.metricErrors(),
          stripe: published(Metric.webhookFailed, Service.stripeWebhook),
          stripeCrashed: input.stripeWebhook.metricErrors(),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator:
        ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    // A lost race or a replayed event is an outcome, not a failure, so a
    // healthy consumer fails nothing. Per-message failures do not fail the
    // invocation (partial batch responses), hence the consumer's own
    // ProvisionFailed count beside Lambda's Errors for crashes, timeouts
    // and a bad configuration.
    consumerFailures: raise("provision-failures", {
      alarmDescription:
        "The provision consumer failed messages (permanent: they will " +
        "reach the DLQ; transient: storage refused them) or crashed. " +
        "Read its 'message failed' log lines.",
      metric: new MathExpression({
        label: "provision failures",
        expression: "FILL(failed, 0) + FILL(crashed, 0)",
        usingMetrics: {
          failed: published(Metric.provisionFailed, Service.provision),
          crashed: input.consumer.metricErrors(),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator:
        ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    pageWithoutWebhook: pageWithoutWebhookAlarm(raise),
    // The site answers 503 and creates nothing while storage fails (wrong
    // table, missing permissions, throttling): users cannot reach their
    // dashboard, so one such request is worth a look.
    siteUnavailable: raise("site-storage-unavailable", {
      alarmDescription:
        "The site could not read or create customer records and answered " +
        "503. Read the site's 'customer unavailable' log lines for the " +
        "cause (table name, permissions, throttling).",
      metric: published(Metric.storageUnavailable, Service.site),
      threshold: 1,
      comparisonOperator:
        ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
  };
}

/**
 * Clerk's deliveries stopped reaching the product while people still sign
 * up: the endpoint was removed or disabled in Clerk, its secret rotated
 * (every delivery a 401), or user.created unsubscribed. No other alarm
 * sees this: nothing fails, the site quietly creates every record.
 *
 * The page usually wins the race to create the record (the browser is on
 * the dashboard before Svix delivers), so records created by the webhook
 * are few even when all is well and a ratio against them would ring on a
 * healthy day. The baseline is therefore the user.created deliveries the
 * webhook accepted: every sign-up makes exactly one, so the page can never
 * create more records than there were deliveries, bar noise. The margin of
 * 5 per hour absorbs that noise (a sign-up near the hour's end can land
 * its two counts in different hours; Svix redelivers after a 5xx) and a
 * handful of users created in Clerk before the endpoint existed. Six or
 * more page-created records beyond the deliveries in one hour means
 * deliveries are missing. No sign-ups in an hour is no data: not
 * breaching.
 */
function pageWithoutWebhookAlarm(raise: Raise) {
  const hour = Duration.hours(1);
  return raise("page-without-webhook", {
    alarmDescription:
      "The site created more customers in an hour than Clerk delivered " +
      "user.created webhooks, by more than 5. Check the endpoint and its " +
      "signing secret in Clerk's dashboard and the WebhookRejected count.",
    metric: new MathExpression({
      label: "page-created beyond user.created deliveries",
      expression: "FILL(page, 0) - FILL(deliveries, 0)",
      usingMetrics: {
        page: published(
          Metric.customerCreated,
          Service.site,
          { createdBy: "page" },
          hour,
        ),
        deliveries: published(
          Metric.webhookAccepted,
          Service.clerkWebhook,
          { eventType: "user.created" },
          hour,
        ),
      },
      period: hour,
    }),
    threshold: 5,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
