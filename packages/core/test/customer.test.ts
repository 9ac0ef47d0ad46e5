import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import * as Customer from "../src/customer/index.js";
import {
  InvalidInputError,
  NotFoundError,
  UnavailableError,
} from "../src/errors/index.js";
import { useLocalAws, type TestAws } from "../../../test/support/aws.js";

let aws: TestAws;
let counter = 0;

beforeAll(async () => {
  aws = await useLocalAws();
});

function newUserId() {
  counter += 1;
  return `user_customerTest${Date.now()}x${counter}`;
}

const profile = {
  email: "person@example.test",
  firstName: "Ada",
  lastName: "Lovelace",
};

describe("Customer.ensure", () => {
  it("creates a free, active record for a new user", async () => {
    const userId = newUserId();
    const { customer, outcome } = await Customer.ensure(userId);
    expect(outcome).toBe("created");
    expect(customer).toMatchObject({
      userId,
      membership: "free",
      status: "active",
      createdBy: "page",
    });
    expect(await Customer.get(userId)).toEqual(customer);
  });

  it("returns the stored record on the next call", async () => {
    const userId = newUserId();
    const first = await Customer.ensure(userId);
    const second = await Customer.ensure(userId);
    expect(second.outcome).toBe("existing");
    expect(second.customer).toEqual(first.customer);
  });

  it("ends with one record and one createdAt for 20 concurrent callers", async () => {
    const userId = newUserId();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => Customer.ensure(userId)),
    );
    const createdAts = new Set(results.map((r) => r.customer.createdAt));
    expect(createdAts.size).toBe(1);
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === "created")).toHaveLength(1);
    const items = (await aws.items()).filter((i) => i.userId === userId);
    expect(items).toHaveLength(1);
  });

  it("refuses an invalid user id before touching storage", async () => {
    // With no usable table, any storage call would fail as unavailable.
    const table = process.env.CUSTOMERS_TABLE;
    process.env.CUSTOMERS_TABLE = "no-such-table";
    try {
      await expect(Customer.ensure("USER_abc")).rejects.toThrow(
        InvalidInputError,
      );
    } finally {
      process.env.CUSTOMERS_TABLE = table;
    }
  });

  it("refuses a Clerk timestamp that is not an epoch in milliseconds", async () => {
    await expect(
      Customer.applyProfile(newUserId(), { profile: {}, clerkUpdatedAt: -1 }),
    ).rejects.toThrow(InvalidInputError);
  });
});

describe("Customer.get", () => {
  it("reports a missing record as not found", async () => {
    await expect(Customer.get(newUserId())).rejects.toThrow(NotFoundError);
  });

  it("reports a wrong table as unavailable, never as not found", async () => {
    const table = process.env.CUSTOMERS_TABLE;
    process.env.CUSTOMERS_TABLE = "no-such-table";
    try {
      const userId = newUserId();
      await expect(Customer.get(userId)).rejects.toThrow(UnavailableError);
      await expect(Customer.ensure(userId)).rejects.toThrow(UnavailableError);
    } finally {
      process.env.CUSTOMERS_TABLE = table;
    }
  });
});

describe("Customer.applyProfile", () => {
  it("creates the record from the webhook with the profile", async () => {
    const userId = newUserId();
    const result = await Customer.applyProfile(userId, {
      profile,
      clerkUpdatedAt: 1000,
    });
    expect(result.outcome).toBe("created");
    expect(await Customer.get(userId)).toMatchObject({
      ...profile,
      createdBy: "webhook",
      clerkUpdatedAt: 1000,
    });
  });

  it("fills in a page-created record without changing createdAt", async () => {
    const userId = newUserId();
    const { customer } = await Customer.ensure(userId);
    const result = await Customer.applyProfile(userId, {
      profile,
      clerkUpdatedAt: 1000,
    });
    expect(result.outcome).toBe("updated");
    const stored = await Customer.get(userId);
    expect(stored).toMatchObject({
      ...profile,
      createdBy: "page",
      createdAt: customer.createdAt,
      membership: "free",
    });
  });

  it("never changes membership or Stripe fields on a late user.created", async () => {
    const userId = newUserId();
    await Customer.ensure(userId);
    const stripe = {
      membership: "pro",
      stripeCustomerId: "cus_test",
      stripeSubscriptionId: "sub_test",
      subscriptionStatus: "active",
    };
    await aws.db.send(
      new UpdateCommand({
        TableName: aws.table,
        Key: { userId },
        UpdateExpression:
          "SET membership = :m, stripeCustomerId = :c, " +
          "stripeSubscriptionId = :s, subscriptionStatus = :st",
        ExpressionAttributeValues: {
          ":m": stripe.membership,
          ":c": stripe.stripeCustomerId,
          ":s": stripe.stripeSubscriptionId,
          ":st": stripe.subscriptionStatus,
        },
      }),
    );
    await Customer.applyProfile(userId, { profile, clerkUpdatedAt: 5 });
    expect(await Customer.get(userId)).toMatchObject({ ...stripe, ...profile });
  });

  it("changes nothing for a user.updated older than the stored one", async () => {
    const userId = newUserId();
    await Customer.applyProfile(userId, { profile, clerkUpdatedAt: 2000 });
    const before = await Customer.get(userId);
    const result = await Customer.applyProfile(userId, {
      profile: { email: "old@example.test" },
      clerkUpdatedAt: 1999,
    });
    expect(result.outcome).toBe("stale");
    expect(await Customer.get(userId)).toEqual(before);
  });

  it("treats a replay of the same profile as stale", async () => {
    const userId = newUserId();
    await Customer.applyProfile(userId, { profile, clerkUpdatedAt: 2000 });
    const replay = await Customer.applyProfile(userId, {
      profile,
      clerkUpdatedAt: 2000,
    });
    expect(replay.outcome).toBe("stale");
  });

  it("applies a newer profile and removes names Clerk no longer has", async () => {
    const userId = newUserId();
    await Customer.applyProfile(userId, { profile, clerkUpdatedAt: 2000 });
    await Customer.applyProfile(userId, {
      profile: { email: "new@example.test", firstName: "Ada" },
      clerkUpdatedAt: 3000,
    });
    const stored = await Customer.get(userId);
    expect(stored.email).toBe("new@example.test");
    expect(stored.lastName).toBeUndefined();
    expect(stored.clerkUpdatedAt).toBe(3000);
  });
});

describe("Customer.markDeleted", () => {
  it("writes a tombstone without personal fields", async () => {
    const userId = newUserId();
    await Customer.applyProfile(userId, { profile, clerkUpdatedAt: 1 });
    const result = await Customer.markDeleted(userId);
    expect(result.outcome).toBe("deleted");
    const stored = await Customer.get(userId);
    expect(stored.status).toBe("deleted");
    expect(stored.email).toBeUndefined();
    expect(stored.firstName).toBeUndefined();
    expect(stored.lastName).toBeUndefined();
  });

  it("changes nothing when a deletion is replayed", async () => {
    const userId = newUserId();
    await Customer.markDeleted(userId);
    const before = await Customer.get(userId);
    const replay = await Customer.markDeleted(userId);
    expect(replay.outcome).toBe("already-deleted");
    expect(await Customer.get(userId)).toEqual(before);
  });

  it("writes a tombstone for a user never seen before", async () => {
    const userId = newUserId();
    await Customer.markDeleted(userId);
    expect(await Customer.get(userId)).toMatchObject({
      status: "deleted",
      createdBy: "webhook",
    });
  });

  it("keeps the user deleted after any later event or ensure", async () => {
    const userId = newUserId();
    await Customer.ensure(userId);
    await Customer.markDeleted(userId);
    const created = await Customer.applyProfile(userId, {
      profile,
      clerkUpdatedAt: Date.now() + 10_000,
    });
    expect(created.outcome).toBe("tombstoned");
    const ensured = await Customer.ensure(userId);
    expect(ensured.customer.status).toBe("deleted");
    const stored = await Customer.get(userId);
    expect(stored.status).toBe("deleted");
    expect(stored.email).toBeUndefined();
  });
});
