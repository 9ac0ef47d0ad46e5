import {
  GetCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { customersTable } from "../config";
import * as Customer from "../customer";
import { documentClient, storageError } from "../dynamo";
import { InvalidInputError, NotFoundError, UnavailableError } from "../errors";

/**
 * The second kind of item in the customers table: Stripe customer id to
 * user id. Its key can never parse as a Clerk user id, so it is never
 * mistaken for a customer.
 */
export function linkKey(stripeCustomerId: string): string {
  return `stripe#${stripeCustomerId}`;
}

/** The user a Stripe customer belongs to, read strongly. */
export async function ownerOf(
  stripeCustomerId: string,
): Promise<string | undefined> {
  try {
    const result = await documentClient().send(
      new GetCommand({
        TableName: customersTable(),
        Key: { userId: linkKey(stripeCustomerId) },
        ConsistentRead: true,
      }),
    );
    const owner = result.Item?.ownerUserId;
    return typeof owner === "string" ? owner : undefined;
  } catch (error) {
    throw storageError(error, "ownerOf", { stripeCustomerId });
  }
}

export type ClaimOutcome = "claimed" | "already-claimed" | "tombstoned";

/**
 * Records that `stripeCustomerId` belongs to `userId`: the id on the
 * customer (set once, never overwritten) and the link item, in one
 * transaction. Claiming the same pair again is an outcome; a different
 * pair is a conflict for an operator, never an overwrite.
 */
export async function claim(
  userId: string,
  stripeCustomerId: string,
): Promise<ClaimOutcome> {
  const now = new Date().toISOString();
  try {
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: customersTable(),
              Key: { userId },
              UpdateExpression: "SET stripeCustomerId = :cus, updatedAt = :now",
              ConditionExpression:
                "attribute_exists(userId) AND #status = :active AND " +
                "attribute_not_exists(stripeCustomerId)",
              ExpressionAttributeNames: { "#status": "status" },
              ExpressionAttributeValues: {
                ":cus": stripeCustomerId,
                ":now": now,
                ":active": "active",
              },
            },
          },
          {
            Put: {
              TableName: customersTable(),
              Item: {
                userId: linkKey(stripeCustomerId),
                kind: "stripe-customer",
                ownerUserId: userId,
                createdAt: now,
              },
              ConditionExpression: "attribute_not_exists(userId)",
            },
          },
        ],
      }),
    );
    return "claimed";
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) {
      throw storageError(error, "claim", { userId, stripeCustomerId });
    }
    const codes = (error.CancellationReasons ?? []).map((r) => r.Code);
    if (codes.some((code) => code && !["None", "ConditionalCheckFailed"].includes(code))) {
      // A concurrent transaction on the same items: try again later.
      throw new UnavailableError("claim collided with another write", {
        userId,
        stripeCustomerId,
        codes,
      });
    }
    return explainFailedClaim(userId, stripeCustomerId);
  }
}

async function explainFailedClaim(
  userId: string,
  stripeCustomerId: string,
): Promise<ClaimOutcome> {
  const [customer, owner] = await Promise.all([
    Customer.find(userId),
    ownerOf(stripeCustomerId),
  ]);
  if (!customer) {
    throw new NotFoundError("no customer record to link yet", {
      userId,
      stripeCustomerId,
    });
  }
  if (customer.status === "deleted") return "tombstoned";
  if (customer.stripeCustomerId === stripeCustomerId && owner === userId) {
    return "already-claimed";
  }
  throw new InvalidInputError("Stripe customer conflicts with a stored link", {
    userId,
    stripeCustomerId,
    storedStripeCustomerId: customer.stripeCustomerId,
    storedOwner: owner,
  });
}
