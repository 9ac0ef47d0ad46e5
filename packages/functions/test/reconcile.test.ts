import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Customer from "@app/core/customer";
import { ConfigError } from "@app/core/errors";
import { useLocalAws } from "../../../test/support/aws.js";
import {
  clerkUsers,
  startClerkBackend,
  type ClerkBackend,
} from "../../../test/support/clerk-backend.js";
import { clearLogs, logLines } from "../../../test/support/logs.js";
import { counts } from "../../../test/support/metrics.js";
import { createHandler } from "../src/reconcile.js";
import { reconcileConfig } from "../src/reconcile-config.js";

let clerk: ClerkBackend;
const users = clerkUsers(30, "user_reconcileLambda");

beforeAll(async () => {
  await useLocalAws();
  clerk = await startClerkBackend({ users });
});

afterAll(() => clerk.stop());

function context(remainingMs: number): Context {
  return { getRemainingTimeInMillis: () => remainingMs } as Context;
}

function handlerFor(env: Record<string, string | undefined>) {
  return createHandler(() =>
    reconcileConfig({ CUSTOMERS_TABLE: process.env.CUSTOMERS_TABLE, ...env }),
  );
}

describe("the reconcile handler", () => {
  it("creates the missing records and logs ids and counts", async () => {
    clearLogs();
    await Customer.ensure(users[0]!.id, { createdBy: "page" });
    const handler = handlerFor({
      CLERK_SECRET_KEY: clerk.secretKey,
      CLERK_API_URL: clerk.apiUrl,
    });

    const report = await handler({}, context(900_000));

    expect(report).toMatchObject({ checked: 30, created: 29, existing: 1 });
    expect(counts()).toEqual([
      {
        namespace: "SignupProvisioning",
        metric: "CustomerCreated",
        value: 29,
        dimensionSets: [["service"], ["service", "createdBy"]],
        dimensions: { service: "reconcile", createdBy: "reconcile" },
      },
    ]);
    const finished = logLines().filter(
      (l) => l.message === "reconcile finished",
    );
    expect(finished).toEqual([
      expect.objectContaining({ level: "INFO", checked: 30, created: 29 }),
    ]);
    // One line per created customer, by id alone.
    const lines = logLines().filter((l) => l.message === "customer reconciled");
    expect(lines).toHaveLength(29);
    for (const line of lines) {
      expect(Object.keys(line)).not.toContain("email");
      expect(JSON.stringify(line)).not.toMatch(/First\d|Last\d/);
      expect(line).toMatchObject({ outcome: "created" });
      expect(line.userId).toMatch(/^user_reconcileLambda\d+$/);
    }
  });

  it("reports an incomplete run, as an error, near its timeout", async () => {
    clearLogs();
    const handler = handlerFor({
      CLERK_SECRET_KEY: clerk.secretKey,
      CLERK_API_URL: clerk.apiUrl,
    });
    const report = await handler({}, context(30_000));
    expect(report).toMatchObject({ complete: false, checked: 30 });
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        message: "reconcile finished",
        level: "ERROR",
        complete: false,
      }),
    );
  });

  it("fails every run, with a log line, while the key is missing", async () => {
    clearLogs();
    const handler = handlerFor({ CLERK_SECRET_KEY: "" });
    await expect(handler({}, context(900_000))).rejects.toBeInstanceOf(
      ConfigError,
    );
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        message: "reconcile misconfigured",
        reason: "CLERK_SECRET_KEY is not set",
      }),
    );
  });

  it("refuses a key that is not a Clerk secret key", () => {
    expect(() =>
      reconcileConfig({
        CLERK_SECRET_KEY: "pk_test_abc",
        CUSTOMERS_TABLE: "customers",
      }),
    ).toThrow("CLERK_SECRET_KEY is malformed");
  });
});
