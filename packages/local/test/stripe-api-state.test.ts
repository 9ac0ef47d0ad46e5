import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import {
  startStripeStandIn,
  StateFileError,
  type StripeStandIn,
} from "../src/stripe-api/index.js";

const day = 24 * 60 * 60;
const running: StripeStandIn[] = [];
const directories: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.stop()));
  for (const directory of directories.splice(0)) {
    rmSync(directory, { recursive: true, force: true });
  }
});

function stateFile() {
  const directory = mkdtempSync(join(tmpdir(), "stripe-state-"));
  directories.push(directory);
  return join(directory, "stripe.json");
}

async function start(file: string) {
  const standIn = await startStripeStandIn({ stateFile: file });
  running.push(standIn);
  const stripe = new Stripe(standIn.secretKey, {
    ...standIn.sdkOptions,
    maxNetworkRetries: 0,
  });
  return { standIn, stripe };
}

async function stop(standIn: StripeStandIn) {
  running.splice(running.indexOf(standIn), 1);
  await standIn.stop();
}

/** The stand-in's clock ahead of the wall clock, in whole days. */
function daysAhead(standIn: StripeStandIn) {
  return Math.round((standIn.now() - Date.now() / 1000) / day);
}

describe("the stand-in's state file", () => {
  it("keeps customers, subscriptions, sessions, events, the price and the clock across a restart", async () => {
    const file = stateFile();
    const first = await start(file);
    const customer = await first.stripe.customers.create({
      email: "kept@example.test",
      metadata: { userId: "user_kept" },
    });
    const line = { price: first.standIn.priceId, quantity: 1 };
    const paid = await first.stripe.checkout.sessions.create({
      mode: "subscription",
      customer: customer.id,
      line_items: [line],
    });
    const { subscription } = first.standIn.completeCheckout(paid.id);
    const open = await first.stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [line],
    });
    const portal = await first.stripe.billingPortal.sessions.create({
      customer: customer.id,
    });
    const cancel = await fetch(`${portal.url}/cancel-at-period-end`, {
      method: "POST",
      body: new URLSearchParams({ subscription: subscription.id }),
      redirect: "manual",
    });
    first.standIn.advanceClock(2 * day);
    const before = {
      priceId: first.standIn.priceId,
      customers: first.standIn.customers(),
      subscriptions: first.standIn.subscriptions(),
      sessions: first.standIn.checkoutSessions().map((s) => s.id),
      events: first.standIn.events().map((event) => event.id),
    };
    await stop(first.standIn);

    const second = await start(file);
    const { standIn, stripe } = second;

    expect(cancel.status).toBe(303);
    expect(standIn.stateFile).toBe(file);
    expect(standIn.priceId).toBe(before.priceId);
    expect(standIn.customers()).toEqual(before.customers);
    expect(standIn.subscriptions()).toEqual(before.subscriptions);
    expect(standIn.checkoutSessions().map((s) => s.id)).toEqual(
      before.sessions,
    );
    expect(standIn.events().map((event) => event.id)).toEqual(before.events);
    expect(daysAhead(standIn)).toBe(2);
    const kept = await stripe.customers.retrieve(customer.id);
    expect(kept).toMatchObject({
      email: "kept@example.test",
      metadata: { userId: "user_kept" },
    });
    const renewing = await stripe.subscriptions.retrieve(subscription.id);
    expect(renewing).toMatchObject({
      customer: customer.id,
      status: "active",
      cancel_at_period_end: true,
    });
    expect((await stripe.prices.retrieve(before.priceId)).id).toBe(
      before.priceId,
    );
    const reopened = await stripe.checkout.sessions.retrieve(open.id);
    expect(reopened.url).toBe(`${standIn.url}/pay/${open.id}`);
    expect((await fetch(reopened.url!)).status).toBe(200);
    expect((await fetch(`${standIn.url}/portal/${portal.id}`)).status).toBe(
      200,
    );
    const newPortal = await stripe.billingPortal.sessions.create({
      customer: customer.id,
    });
    expect(newPortal.configuration).toBe(portal.configuration);
  });

  it("keeps the price id of its first start when nothing changed", async () => {
    const file = stateFile();
    const first = await start(file);
    const { priceId } = first.standIn;
    await stop(first.standIn);

    const second = await start(file);

    expect(second.standIn.priceId).toBe(priceId);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
      version: 1,
      proPrice: priceId,
    });
  });

  it("renames a new file into place at each change, leaving no temp", async () => {
    const file = stateFile();
    const first = await start(file);
    await stop(first.standIn);
    // What a crash in the middle of a write leaves: a half temp file.
    writeFileSync(`${file}.tmp`, '{"version": 1, "customers": [{"id": "cu');
    const { standIn, stripe } = await start(file);
    const inodes = [statSync(file).ino];

    const customer = await stripe.customers.create({});
    inodes.push(statSync(file).ino);
    standIn.createSubscription(customer.id);
    inodes.push(statSync(file).ino);
    await stripe.customers.retrieve(customer.id);
    inodes.push(statSync(file).ino);

    expect(readdirSync(join(file, ".."))).toEqual(["stripe.json"]);
    // A new file took the name at each change; a GET wrote nothing.
    expect(inodes[1]).not.toBe(inodes[0]);
    expect(inodes[2]).not.toBe(inodes[1]);
    expect(inodes[3]).toBe(inodes[2]);
    const saved = JSON.parse(readFileSync(file, "utf8"));
    expect(saved.customers.map((c: { id: string }) => c.id)).toEqual([
      customer.id,
    ]);
    expect(saved.subscriptions).toHaveLength(1);
  });

  it.each([
    ["half written", '{"version": 1, "customers": [{"id": "cu', /not JSON/],
    ["empty", "", /not JSON/],
    ["of another version", '{"version": 2}', /version 2, .* reads version 1/],
    ["without a version", "[]", /has no version/],
  ])("refuses to start from a file that is %s", async (_, content, reason) => {
    const file = stateFile();
    writeFileSync(file, content);

    await expectRefused(file, reason);

    expect(readFileSync(file, "utf8")).toBe(content);
  });

  it("refuses to start from a file with a malformed record", async () => {
    const file = stateFile();
    const first = await start(file);
    await first.stripe.customers.create({});
    await stop(first.standIn);
    const saved = JSON.parse(readFileSync(file, "utf8"));
    saved.customers[0].id = 7;
    writeFileSync(file, JSON.stringify(saved));

    await expectRefused(file, /at customers\.0\.id: .*expected string/);
  });
});

/** Start fails with one line that names the file and what to do. */
async function expectRefused(file: string, reason: RegExp) {
  const starting = startStripeStandIn({ stateFile: file });
  await expect(starting).rejects.toThrow(StateFileError);
  await expect(starting).rejects.toThrow(reason);
  await expect(starting).rejects.toThrow(`in ${file} cannot be used`);
  await expect(starting).rejects.toThrow("Delete that file");
  await expect(starting).rejects.toThrow(/^[^\n]+$/);
}
