import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { customersTable } from "../config";
import {
  documentClient,
  isConditionFailure,
  storageError,
} from "../dynamo";
import {
  InvalidInputError,
  NotFoundError,
  UnavailableError,
} from "../errors";
import {
  CreatedBy,
  Customer,
  Profile,
  UserId,
  profileFields,
} from "./schema";

export * from "./schema";

export type EnsureOutcome = "existing" | "created" | "lost-race";
export type ProfileOutcome = "created" | "updated" | "stale" | "tombstoned";

/**
 * The stored record, read strongly so that a record written a moment ago
 * by the webhook or another page is always seen.
 */
export async function find(userId: string): Promise<Customer | undefined> {
  const id = validUserId(userId);
  const result = await storage("find", id, () =>
    documentClient().send(
      new GetCommand({
        TableName: customersTable(),
        Key: { userId: id },
        ConsistentRead: true,
      }),
    ),
  );
  return result.Item ? fromItem(result.Item) : undefined;
}

export async function get(userId: string): Promise<Customer> {
  const customer = await find(userId);
  if (!customer) throw new NotFoundError("no such customer", { userId });
  return customer;
}

/**
 * Get-or-create: one read when the record exists; otherwise one
 * conditional put, which on a lost race hands back the winner's item.
 * Any number of concurrent callers end with one record and one createdAt.
 */
export async function ensure(
  userId: string,
  options: { createdBy?: CreatedBy; profile?: Profile } = {},
): Promise<{ customer: Customer; outcome: EnsureOutcome }> {
  const existing = await find(userId);
  if (existing) return { customer: existing, outcome: "existing" };
  const created = await create(
    userId,
    options.createdBy ?? "page",
    options.profile ?? {},
  );
  return created.winner
    ? { customer: created.winner, outcome: "lost-race" }
    : { customer: created.customer, outcome: "created" };
}

/**
 * Applies a Clerk profile: creates the record if absent, otherwise updates
 * the personal fields only when Clerk's `updated_at` is newer than the one
 * stored. Membership and Stripe fields are never touched; a tombstone is
 * never revived.
 */
export async function applyProfile(
  userId: string,
  input: { profile: Profile; clerkUpdatedAt: number; createdBy?: CreatedBy },
): Promise<{ outcome: ProfileOutcome; customer?: Customer }> {
  const profile = validProfile(input.profile, userId);
  const created = await create(userId, input.createdBy ?? "webhook", {
    ...profile,
  }, input.clerkUpdatedAt);
  if (!created.winner) {
    return { outcome: "created", customer: created.customer };
  }
  if (created.winner.status === "deleted") return { outcome: "tombstoned" };
  return updateProfile(created.winner.userId, profile, input.clerkUpdatedAt);
}

/**
 * Writes the tombstone: status `deleted`, personal fields removed. A user
 * never seen before gets a tombstone too, so a late `user.created` cannot
 * bring them back. A replayed deletion changes nothing.
 */
export async function markDeleted(
  userId: string,
  createdBy: CreatedBy = "webhook",
): Promise<{ outcome: "deleted" | "already-deleted" }> {
  const id = validUserId(userId);
  const now = new Date().toISOString();
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: customersTable(),
        Key: { userId: id },
        UpdateExpression:
          "SET #status = :deleted, updatedAt = :now, " +
          "createdAt = if_not_exists(createdAt, :now), " +
          "createdBy = if_not_exists(createdBy, :by), " +
          "membership = if_not_exists(membership, :free) " +
          "REMOVE email, firstName, lastName",
        ConditionExpression: "attribute_not_exists(#status) OR #status <> :deleted",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":deleted": "deleted",
          ":now": now,
          ":by": createdBy,
          ":free": "free",
        },
      }),
    );
    return { outcome: "deleted" };
  } catch (error) {
    if (isConditionFailure(error)) return { outcome: "already-deleted" };
    throw storageError(error, "markDeleted", { userId: id });
  }
}

async function create(
  userId: string,
  createdBy: CreatedBy,
  profile: Profile,
  clerkUpdatedAt?: number,
): Promise<{ customer: Customer; winner?: Customer }> {
  const id = validUserId(userId);
  const now = new Date().toISOString();
  const parsed = Customer.safeParse({
    userId: id,
    ...validProfile(profile, id),
    membership: "free",
    status: "active",
    createdAt: now,
    updatedAt: now,
    createdBy,
    clerkUpdatedAt,
  });
  if (!parsed.success) {
    throw new InvalidInputError("invalid customer", {
      userId: id,
      fields: parsed.error.issues.map((issue) => issue.path.join(".")),
    });
  }
  const customer = parsed.data;
  try {
    await documentClient().send(
      new PutCommand({
        TableName: customersTable(),
        Item: customer,
        ConditionExpression: "attribute_not_exists(userId)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    return { customer };
  } catch (error) {
    if (isConditionFailure(error) && error.Item) {
      return { customer, winner: fromItem(unmarshall(error.Item)) };
    }
    throw storageError(error, "create", { userId: id });
  }
}

async function updateProfile(
  userId: string,
  profile: Profile,
  clerkUpdatedAt: number,
): Promise<{ outcome: ProfileOutcome; customer?: Customer }> {
  const set = profileFields.filter((field) => profile[field] !== undefined);
  const remove = profileFields.filter((field) => profile[field] === undefined);
  const values: Record<string, unknown> = {
    ":active": "active",
    ":updatedAt": clerkUpdatedAt,
    ":now": new Date().toISOString(),
  };
  for (const field of set) values[`:${field}`] = profile[field];
  const expression =
    "SET " +
    ["clerkUpdatedAt = :updatedAt", "updatedAt = :now"]
      .concat(set.map((field) => `${field} = :${field}`))
      .join(", ") +
    (remove.length ? ` REMOVE ${remove.join(", ")}` : "");
  try {
    const result = await documentClient().send(
      new UpdateCommand({
        TableName: customersTable(),
        Key: { userId },
        UpdateExpression: expression,
        // Clerk may deliver an older user.updated after a newer one; the
        // stored updated_at decides, so replays and reorders change nothing.
        ConditionExpression:
          "attribute_exists(userId) AND #status = :active AND " +
          "(attribute_not_exists(clerkUpdatedAt) OR " +
          "clerkUpdatedAt < :updatedAt)",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    return { outcome: "updated", customer: fromItem(result.Attributes ?? {}) };
  } catch (error) {
    if (!isConditionFailure(error)) {
      throw storageError(error, "updateProfile", { userId });
    }
    const current = error.Item ? fromItem(unmarshall(error.Item)) : undefined;
    if (!current) {
      throw new UnavailableError("record vanished during update", { userId });
    }
    return current.status === "deleted"
      ? { outcome: "tombstoned" }
      : { outcome: "stale", customer: current };
  }
}

function validUserId(userId: string): string {
  const result = UserId.safeParse(userId);
  if (!result.success) {
    throw new InvalidInputError("invalid user id", {
      reason: result.error.issues[0]?.message,
    });
  }
  return result.data;
}

function validProfile(profile: Profile, userId: string): Profile {
  const result = Profile.safeParse(profile);
  if (!result.success) {
    throw new InvalidInputError("invalid profile", {
      userId,
      fields: result.error.issues.map((issue) => issue.path.join(".")),
    });
  }
  return result.data;
}

/** A stored item as a customer; a mismatch is a storage fault, not input. */
export function fromItem(item: Record<string, unknown>): Customer {
  const result = Customer.safeParse(item);
  if (!result.success) {
    throw new UnavailableError("stored customer does not match its schema", {
      userId: item.userId,
      fields: result.error.issues.map((issue) => issue.path.join(".")),
    });
  }
  return result.data;
}

async function storage<T>(
  operation: string,
  userId: string,
  send: () => Promise<T>,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw storageError(error, operation, { userId });
  }
}
