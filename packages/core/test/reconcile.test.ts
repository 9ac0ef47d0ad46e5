import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as Customer from "@app/core/customer";
import { ConfigError, UnavailableError } from "@app/core/errors";
import * as Reconcile from "@app/core/reconcile";
import { useLocalAws, type TestAws } from "../../../test/support/aws.js";
import {
  clerkUser,
  clerkUsers,
  startClerkBackend,
  type ClerkBackend,
  type ClerkUserJson,
  type RateLimit,
  type SeenRequest,
} from "../../../test/support/clerk-backend.js";

let aws: TestAws;
let clerk: ClerkBackend | undefined;
let waits: number[];

beforeAll(async () => {
  aws = await useLocalAws();
});

afterEach(async () => {
  await clerk?.stop();
  clerk = undefined;
});

/** The stand-in with `users`; waits are recorded, not slept. */
async function clerkWith(users: ClerkUserJson[], rateLimit?: RateLimit) {
  clerk = await startClerkBackend({ users, rateLimit });
  waits = [];
  return Reconcile.clerkUserPages({
    secretKey: clerk.secretKey,
    apiUrl: clerk.apiUrl,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
}

/** Every 5th user has a page-made record, every 5th a tombstone. */
async function seed(users: ClerkUserJson[]) {
  const kinds = users.map((_, i) =>
    i % 5 === 1 ? "existing" : i % 5 === 2 ? "tombstone" : "missing",
  );
  await Promise.all(
    users.map((user, i) =>
      kinds[i] === "existing"
        ? Customer.ensure(user.id, { createdBy: "page" })
        : kinds[i] === "tombstone"
          ? Customer.markDeleted(user.id)
          : undefined,
    ),
  );
  const count = (kind: string) => kinds.filter((k) => k === kind).length;
  return {
    missing: users.filter((_, i) => kinds[i] === "missing"),
    existing: count("existing"),
    tombstones: count("tombstone"),
  };
}

/** The stored items of `users`, read page by page: a Scan stops at 1 MB. */
async function itemsOf(users: ClerkUserJson[]) {
  const ids = new Set(users.map((user) => user.id));
  const found = new Map<string, Record<string, unknown>>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await aws.db.send(
      new ScanCommand({
        TableName: aws.table,
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (ids.has(item.userId)) found.set(item.userId, item);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

describe("reconciliation against Clerk's user list", () => {
  it("creates exactly the missing records, from Clerk's profile", async () => {
    const users = clerkUsers(2_500, "user_reconcileRun");
    const seeded = await seed(users);
    const before = await itemsOf(users);
    expect(before.size).toBe(seeded.existing + seeded.tombstones);

    const report = await Reconcile.run(await clerkWith(users));

    expect(report).toEqual({
      dryRun: false,
      complete: true,
      checked: 2_500,
      created: seeded.missing.length,
      existing: seeded.existing,
      skippedAsDeleted: seeded.tombstones,
      failed: 0,
    });
    const after = await itemsOf(users);
    expect(after.size).toBe(2_500);
    for (const [userId, item] of before) {
      expect(after.get(userId), userId).toEqual(item);
    }
    for (const user of seeded.missing) {
      const item = after.get(user.id)!;
      expect(item, user.id).toBeDefined();
      const addresses = user.email_addresses as Array<Record<string, string>>;
      const address = addresses[0];
      expect(item).toMatchObject({
        createdBy: "reconcile",
        status: "active",
        membership: "free",
      });
      expect(item.email).toBe(address?.email_address);
      expect(item.firstName).toBe(user.first_name ?? undefined);
      expect(item.lastName).toBe(user.last_name ?? undefined);
    }
  });

  it("reports what a dry run would create and writes nothing", async () => {
    const users = clerkUsers(2_500, "user_reconcileDry");
    const seeded = await seed(users);
    const before = await itemsOf(users);

    const report = await Reconcile.run(await clerkWith(users), {
      dryRun: true,
    });

    expect(report).toMatchObject({
      dryRun: true,
      checked: 2_500,
      created: seeded.missing.length,
      existing: seeded.existing,
      skippedAsDeleted: seeded.tombstones,
      failed: 0,
    });
    expect(await itemsOf(users)).toEqual(before);
  });

  it("never revives a tombstone, whatever Clerk still lists", async () => {
    const users = clerkUsers(3, "user_reconcileGone");
    await Promise.all(users.map((user) => Customer.markDeleted(user.id)));
    const before = await itemsOf(users);

    const report = await Reconcile.run(await clerkWith(users));

    expect(report.skippedAsDeleted).toBe(3);
    expect(await itemsOf(users)).toEqual(before);
  });

  it("counts a user Clerk sends malformed as failed and goes on", async () => {
    const users = clerkUsers(4, "user_reconcileOdd");
    users[1] = { ...users[1]!, first_name: "x".repeat(257) };
    users[2] = { ...users[2]!, id: "not-a-user-id" };
    const failures: Reconcile.UserResult[] = [];

    const report = await Reconcile.run(await clerkWith(users), {
      onUser: (result) => {
        if (result.outcome === "failed") failures.push(result);
      },
    });

    expect(report).toMatchObject({ checked: 4, created: 2, failed: 2 });
    expect(failures).toEqual([
      expect.objectContaining({
        userId: users[1]!.id,
        fields: ["first_name"],
      }),
      expect.objectContaining({ userId: undefined, fields: ["id"] }),
    ]);
  });
});

describe("paging through Clerk", () => {
  it("asks for pages of 500, oldest first, until a short page", async () => {
    const users = clerkUsers(1_001, "user_reconcilePages");
    await Reconcile.run(await clerkWith(users), { dryRun: true });
    const lists = clerk!.requests.filter((r) => r.path === "/v1/users");
    expect(lists.map((r) => r.query)).toEqual(
      [undefined, "500", "1000"].map((offset) => ({
        limit: "500",
        order_by: "+created_at",
        ...(offset && { offset }),
      })),
    );
    expect(clerk!.requests.every((r) => r.authorized)).toBe(true);
  });

  it("waits out each 429 for its Retry-After, then asks again", async () => {
    const users = clerkUsers(1_200, "user_reconcileLimited");
    // The second page is refused twice: Clerk asks for 3 s, then 5 s.
    const retryAfter = [3, 5];
    const pages = await clerkWith(users, (request) =>
      isPage(request, "500") ? retryAfter.shift() : undefined,
    );

    const report = await Reconcile.run(pages, { dryRun: true });

    expect(report.checked).toBe(1_200);
    expect(waits).toEqual([3_000, 5_000]);
    const second = clerk!.requests.filter(
      (r) => r.path === "/v1/users" && r.query.offset === "500",
    );
    expect(second.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("waits one 10-second window when a 429 names no Retry-After", async () => {
    let refused = false;
    const pages = await clerkWith(clerkUsers(2, "user_reconcileBare"), () => {
      if (refused) return undefined;
      refused = true;
      return null;
    });

    const report = await Reconcile.run(pages, { dryRun: true });

    expect(waits).toEqual([10_000]);
    expect(report.checked).toBe(2);
  });

  it("gives up after eight refusals with the counts so far", async () => {
    const users = clerkUsers(600, "user_reconcileStuck");
    const pages = await clerkWith(users, (request) =>
      isPage(request, "500") ? 1 : undefined,
    );

    const stopped = Reconcile.run(pages, { dryRun: true });

    await expect(stopped).rejects.toBeInstanceOf(UnavailableError);
    await expect(stopped).rejects.toMatchObject({
      message: "reconcile stopped: Clerk's user list failed: 429",
      data: { checked: 500, complete: false },
    });
    expect(waits).toHaveLength(7);
  });

  it("stops at once when Clerk refuses the secret key", async () => {
    clerk = await startClerkBackend({ users: clerkUsers(1) });
    const pages = Reconcile.clerkUserPages({
      secretKey: "sk_test_wrongKey",
      apiUrl: clerk.apiUrl,
    });
    await expect(Reconcile.run(pages)).rejects.toBeInstanceOf(ConfigError);
    const lists = clerk.requests.filter((r) => r.path === "/v1/users");
    expect(lists.map((r) => r.status)).toEqual([401]);
  });
});

/** A list request for the page at `offset` (the first has none). */
function isPage(request: SeenRequest, offset?: string) {
  return request.path === "/v1/users" && request.query.offset === offset;
}

describe("reconciliation when storage fails", () => {
  it("stops after ten users in a row fail to be stored", async () => {
    const users = clerkUsers(50, "user_reconcileNoTable");
    const table = process.env.CUSTOMERS_TABLE;
    process.env.CUSTOMERS_TABLE = "no-such-table";
    try {
      const run = Reconcile.run(await clerkWith(users), { concurrency: 1 });
      await expect(run).rejects.toMatchObject({
        name: "UnavailableError",
        message:
          "reconcile stopped: storage unavailable during find: " +
          "ResourceNotFoundException",
        data: { checked: 10, failed: 10, complete: false },
      });
    } finally {
      process.env.CUSTOMERS_TABLE = table;
    }
  });

  it("gives a user without an email address a record too", async () => {
    const user = clerkUser({
      id: "user_reconcileNoEmail",
      email: null,
      firstName: "Only",
      createdAt: Date.UTC(2025, 5, 1),
    });
    await Reconcile.run(await clerkWith([user]));
    const stored = await Customer.get(user.id);
    expect(stored).toMatchObject({ createdBy: "reconcile", firstName: "Only" });
    expect(stored.email).toBeUndefined();
  });
});
