import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Table } from "sst/constructs";

/**
 * What every reader and writer of customer records needs, and no more:
 * get, put and update on the customers table. SST's `bind` would grant
 * dynamodb:* instead.
 */
export function customerRecordAccess(table: Table): PolicyStatement {
  return new PolicyStatement({
    actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    resources: [table.tableArn],
  });
}
