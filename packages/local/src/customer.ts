import * as Customer from "@app/core/customer";
import { localAwsEnv } from "./aws";
import { localConfig } from "./config";

/** Prints the stored record for one user id from the offline stack. */
async function main() {
  const userId = process.argv[2];
  if (!userId) throw new Error("usage: npm run customer -- <userId>");
  const config = localConfig();
  Object.assign(process.env, {
    ...localAwsEnv,
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${config.dynamoPort}`,
    CUSTOMERS_TABLE: config.customersTable,
  });
  const customer = await Customer.find(userId);
  if (!customer) {
    console.error(`no customer ${userId}`);
    process.exit(3);
  }
  console.log(JSON.stringify(customer, null, 2));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
