import { RemovalPolicy } from "aws-cdk-lib";
import { BillingMode } from "aws-cdk-lib/aws-dynamodb";
import { Table, type StackContext } from "sst/constructs";
import { CustomersTable } from "../packages/core/src/settings/index.js";

export function Storage({ app, stack }: StackContext) {
  const prod = app.stage === "prod";
  const table = new Table(stack, CustomersTable.name, {
    fields: { [CustomersTable.partitionKey]: "string" },
    primaryIndex: { partitionKey: CustomersTable.partitionKey },
    cdk: {
      table: {
        billingMode: BillingMode.PAY_PER_REQUEST,
        // SST always passes the older pointInTimeRecovery flag and CDK
        // rejects it next to pointInTimeRecoverySpecification, so the
        // flag is the only way to state this.
        pointInTimeRecovery: true,
        removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        deletionProtection: prod,
      },
    },
  });
  return { table };
}
