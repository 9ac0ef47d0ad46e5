import { Cron, use, type StackContext } from "sst/constructs";
import { Secrets } from "./secrets.js";
import { Storage } from "./storage.js";
import { customerRecordAccess } from "./table-access.js";

/** Daily at 04:00 UTC, a quiet hour for sign-ups and for Clerk's limits. */
export const reconcileSchedule = "cron(0 4 * * ? *)";

export function Reconcile({ stack }: StackContext) {
  const { table } = use(Storage);
  const { CLERK_SECRET_KEY } = use(Secrets);
  const cron = new Cron(stack, "reconcile", {
    schedule: reconcileSchedule,
    job: {
      function: {
        handler: "packages/functions/src/reconcile.handler",
        // Lambda's longest run; the handler starts no page in its last
        // minute, so even a cut-short run logs its counts.
        timeout: 900,
        environment: {
          CUSTOMERS_TABLE: table.tableName,
          POWERTOOLS_SERVICE_NAME: "reconcile",
          POWERTOOLS_LOG_LEVEL: "INFO",
        },
        bind: [CLERK_SECRET_KEY],
        permissions: [customerRecordAccess(table)],
      },
    },
  });
  return { cron };
}
