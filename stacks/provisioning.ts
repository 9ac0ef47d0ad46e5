import { Duration } from "aws-cdk-lib";
import { Queue, use, type StackContext } from "sst/constructs";
import { Secrets } from "./secrets.js";
import { ProvisionQueue } from "../packages/core/src/settings/index.js";
import { Storage } from "./storage.js";
import { customerRecordAccess } from "./table-access.js";

export function Provisioning({ stack }: StackContext) {
  const { table } = use(Storage);
  const { STRIPE_SECRET_KEY } = use(Secrets);
  const dlq = new Queue(stack, ProvisionQueue.deadLetterName, {
    cdk: {
      queue: {
        retentionPeriod: Duration.days(ProvisionQueue.deadLetterRetentionDays),
      },
    },
  });
  const queue = new Queue(stack, ProvisionQueue.name, {
    cdk: {
      queue: {
        retentionPeriod: Duration.days(ProvisionQueue.retentionDays),
        visibilityTimeout: Duration.seconds(
          ProvisionQueue.visibilityTimeoutSeconds,
        ),
        deadLetterQueue: {
          queue: dlq.cdk.queue,
          maxReceiveCount: ProvisionQueue.maxReceiveCount,
        },
      },
    },
    consumer: {
      function: {
        handler: "packages/functions/src/provision.handler",
        timeout: ProvisionQueue.consumerTimeoutSeconds,
        environment: {
          CUSTOMERS_TABLE: table.tableName,
          POWERTOOLS_SERVICE_NAME: "provision",
          POWERTOOLS_LOG_LEVEL: "INFO",
        },
        // Stripe events are synced by reading the subscription back.
        bind: [STRIPE_SECRET_KEY],
        permissions: [customerRecordAccess(table)],
      },
      cdk: {
        eventSource: {
          batchSize: ProvisionQueue.batchSize,
          reportBatchItemFailures: true,
        },
      },
    },
  });
  return { queue, dlq };
}
