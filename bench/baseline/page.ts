import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export class MissingCustomerError extends Error {
  override name = "MissingCustomerError";
}

/**
 * The template's dashboard: it reads the row the webhook should have
 * written and has nothing to show without it (an error, a redirect or a
 * "complete your profile" page: a failed first render either way). It
 * never creates the row. DynamoDB Local is always consistent, so the
 * template's eventually consistent read is not what fails here.
 */
export async function renderBaselineDashboard(
  db: DynamoDBDocumentClient,
  table: string,
  userId: string,
): Promise<{ membership: string }> {
  const result = await db.send(
    new GetCommand({ TableName: table, Key: { userId } }),
  );
  if (!result.Item) throw new MissingCustomerError("no customer record");
  return { membership: String(result.Item.membership) };
}
