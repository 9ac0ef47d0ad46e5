import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as Customer from "@app/core/customer";
import { useDocumentClient } from "@app/core/dynamo";
import {
  applyStripeEvent,
  ensureStripeCustomer,
  stripeClient,
  syncMembership,
  type StripeRef,
} from "@app/core/stripe";
import { localAws } from "../../../local/src/aws.js";
import {
  startStripeStandIn,
  type StripeStandIn,
} from "../../../local/src/stripe-api/index.js";
import { useLocalAws } from "../../../../test/support/aws.js";
import { sleep } from "./timeline.js";

/**
 * One interleaving the fault schedules reach only rarely, pinned: two
 * consumers, a status that goes away and comes back, and a stall in
 * one of them between its Stripe read and its write.
 */

let standIn: StripeStandIn;
let stripe: Stripe;
/** Holds the next membership write this long, once. */
let stallNextSyncWrite = 0;

beforeAll(async () => {
  await useLocalAws();
  const base = new DynamoDBClient({
    ...localAws,
    endpoint: inject("dynamoEndpoint"),
  });
  base.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { UpdateExpression?: string };
      const syncWrite = input.UpdateExpression?.includes("stripeSyncedAt");
      if (stallNextSyncWrite && syncWrite) {
        const ms = stallNextSyncWrite;
        stallNextSyncWrite = 0;
        await sleep(ms);
      }
      return next(args);
    },
    { step: "initialize", name: "stallSyncWrite" },
  );
  useDocumentClient(
    DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
  standIn = await startStripeStandIn({ deliver: "manual" });
  stripe = stripeClient({ secretKey: standIn.secretKey, apiUrl: standIn.url });
});

afterAll(async () => {
  await standIn?.stop();
});

describe("a Stripe sync that stalls before its write", () => {
  it("keeps a member pro when it read unpaid and lands after a newer sync found active", async () => {
    const userId = "user_lateSync1";
    const { customer } = await Customer.ensure(userId);
    const stripeCustomerId = await ensureStripeCustomer(stripe, customer);
    const sub = standIn.createSubscription(stripeCustomerId, {
      status: "active",
    });
    await syncMembership(stripe, userId, stripeCustomerId);
    const ref = (n: number): StripeRef => ({
      eventId: `evt_lateSync${n}`,
      type: "customer.subscription.updated",
      created: standIn.now(),
      stripeCustomerId,
      subscriptionId: sub.id,
      userId,
    });

    standIn.setSubscriptionStatus(sub.id, "unpaid");
    stallNextSyncWrite = 400;
    const stalled = applyStripeEvent(stripe, ref(1));
    await sleep(150);
    standIn.setSubscriptionStatus(sub.id, "active");
    const newer = await applyStripeEvent(stripe, ref(2));
    await stalled;

    expect(newer.result.outcome).toBe("unchanged");
    expect(await Customer.get(userId)).toMatchObject({
      membership: "pro",
      subscriptionStatus: "active",
    });
  });
});
