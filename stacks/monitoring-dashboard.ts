import { Duration } from "aws-cdk-lib";
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
} from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { Metric, Service } from "../packages/core/src/metrics/names.js";
import { perValue, published } from "./monitoring-metrics.js";

export type DashboardInput = {
  name: string;
  alarms: IAlarm[];
  queue: IQueue;
  dlq: IQueue;
  webhook: IFunction;
  stripeWebhook: IFunction;
  consumer: IFunction;
};

const minute = Duration.minutes(1);

/**
 * One screen, read top to bottom the way a sign-up travels: the alarms,
 * Clerk's deliveries, the queue, the consumer, and who created the record.
 */
export function signalsDashboard(scope: Construct, input: DashboardInput) {
  const { clerkWebhook, stripeWebhook, provision, site, reconcile } = Service;
  const third = { width: 8, height: 6 };
  const half = { width: 12, height: 6 };
  return new Dashboard(scope, "dashboard", {
    dashboardName: input.name,
    defaultInterval: Duration.hours(24),
    widgets: [
      [
        new AlarmStatusWidget({
          title: "Alarms",
          alarms: input.alarms,
          width: 24,
          height: 3,
        }),
      ],
      [
        new GraphWidget({
          ...third,
          title: "Webhook answers",
          left: [clerkWebhook, stripeWebhook].flatMap((service) => [
            published(Metric.webhookAccepted, service),
            published(Metric.webhookIgnored, service),
            published(Metric.webhookRejected, service),
            published(Metric.webhookFailed, service),
          ]),
        }),
        new GraphWidget({
          ...third,
          title: "Webhook 4xx by reason",
          left: [
            perValue(Metric.webhookRejected, clerkWebhook, "reason"),
            perValue(Metric.webhookRejected, stripeWebhook, "reason"),
          ],
        }),
        new GraphWidget({
          ...third,
          title: "Webhook 5xx by reason, and function errors",
          left: [
            perValue(Metric.webhookFailed, clerkWebhook, "reason"),
            perValue(Metric.webhookFailed, stripeWebhook, "reason"),
            input.webhook.metricErrors(),
            input.stripeWebhook.metricErrors(),
          ],
        }),
      ],
      [
        new GraphWidget({
          ...third,
          title: "Provision queue",
          left: [
            input.queue.metricApproximateNumberOfMessagesVisible({
              period: minute,
              statistic: "Maximum",
            }),
          ],
          right: [
            input.queue.metricApproximateAgeOfOldestMessage({
              period: minute,
              statistic: "Maximum",
            }),
          ],
        }),
        new GraphWidget({
          ...third,
          title: "Dead letters",
          left: [
            input.dlq.metricApproximateNumberOfMessagesVisible({
              period: minute,
              statistic: "Maximum",
            }),
          ],
        }),
        new GraphWidget({
          ...third,
          title: "Provision failures, and function errors",
          left: [
            perValue(Metric.provisionFailed, provision, "failure"),
            input.consumer.metricErrors(),
          ],
        }),
      ],
      [
        new GraphWidget({
          ...half,
          title: "Customers created, by path",
          left: [
            published(Metric.customerCreated, site, {
              createdBy: "page",
            }).with({ label: "created by the page" }),
            published(Metric.customerCreated, provision, {
              createdBy: "webhook",
            }).with({ label: "created by the webhook" }),
            published(Metric.customerCreated, reconcile, {
              createdBy: "reconcile",
            }).with({ label: "created by reconciliation" }),
            published(Metric.webhookAccepted, clerkWebhook, {
              eventType: "user.created",
            }).with({ label: "user.created deliveries" }),
          ],
        }),
        new GraphWidget({
          ...half,
          title: "Events applied and skipped",
          left: [
            published(Metric.customerUpdated, provision),
            published(Metric.customerDeleted, provision),
            published(Metric.membershipSynced, provision),
            perValue(Metric.eventSkipped, provision, "reason"),
          ],
        }),
      ],
      [
        new GraphWidget({
          ...half,
          title: "Site answered 503: storage unavailable",
          left: [published(Metric.storageUnavailable, site)],
        }),
      ],
    ],
  });
}
