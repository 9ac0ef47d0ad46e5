import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import { Webhook } from "svix";

/**
 * The starter-template design this product replaces, kept small and
 * honest: the webhook verifies the Svix signature and writes the row
 * itself, with no queue; until it has run, the user has no row.
 */
export function baselineWebhook(options: {
  secret: string;
  table: string;
  db: DynamoDBDocumentClient;
}) {
  const verifier = new Webhook(options.secret);
  return async (
    event: APIGatewayProxyEventV2,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    let payload: ClerkUserEvent;
    try {
      payload = verifier.verify(event.body ?? "", {
        "svix-id": event.headers["svix-id"] ?? "",
        "svix-timestamp": event.headers["svix-timestamp"] ?? "",
        "svix-signature": event.headers["svix-signature"] ?? "",
      }) as ClerkUserEvent;
    } catch {
      return { statusCode: 400, body: "invalid signature" };
    }
    if (payload.type !== "user.created") return { statusCode: 200 };
    const email = payload.data.email_addresses?.[0]?.email_address;
    try {
      await options.db.send(
        new PutCommand({
          TableName: options.table,
          Item: {
            userId: payload.data.id,
            email,
            membership: "free",
            createdAt: new Date().toISOString(),
          },
        }),
      );
    } catch {
      return { statusCode: 500, body: "database error" };
    }
    return { statusCode: 200, body: "ok" };
  };
}

type ClerkUserEvent = {
  type: string;
  data: { id: string; email_addresses?: Array<{ email_address: string }> };
};
