import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionsOf, roleStatements } from "./iam-helpers.js";
import { Reconcile } from "./reconcile.js";
import { Secrets } from "./secrets.js";
import { stripePriceId } from "./stripe-price.js";
import {
  environment,
  handlers,
  logicalId,
  readableParameters,
  secretPaths,
  synth,
  testPriceId,
  type Handler,
  type Synth,
} from "./test-helpers.js";
import { Web } from "./web.js";

let app: Synth;
let fns: ReturnType<typeof handlers>;
let site: Handler;
let reconcile: Handler;

beforeAll(async () => {
  app = await synth("test");
  fns = handlers(app);
  const server = app.exports(Web).site.cdk?.function;
  if (!server) throw new Error("the site has no server function");
  site = { template: app.template(Web), id: logicalId(server) };
  const job = app.exports(Reconcile).cron.jobFunction;
  reconcile = { template: app.template(Reconcile), id: logicalId(job) };
});

afterAll(() => app.dispose());

describe("Stripe's settings", () => {
  it("are two secrets and a price parameter", () => {
    const secrets = app.exports(Secrets);
    expect(secrets.STRIPE_SECRET_KEY.name).toBe("STRIPE_SECRET_KEY");
    expect(secrets.STRIPE_WEBHOOK_SECRET.name).toBe("STRIPE_WEBHOOK_SECRET");
    expect(secrets.STRIPE_PRICE_ID.name).toBe("STRIPE_PRICE_ID");
  });

  it("stop a deploy without a price id, by name", () => {
    expect(() => stripePriceId({})).toThrow("STRIPE_PRICE_ID is not set");
    expect(() => stripePriceId({ STRIPE_PRICE_ID: "prod_123" })).toThrow(
      "STRIPE_PRICE_ID is malformed",
    );
    expect(stripePriceId({ STRIPE_PRICE_ID: "price_1Abc" })).toBe("price_1Abc");
  });
});

describe("the Stripe webhook function", () => {
  it("reads its endpoint secret and nothing else from SSM", () => {
    expect(environment(fns.stripeWebhook)).toHaveProperty([
      "SST_Secret_value_STRIPE_WEBHOOK_SECRET",
    ]);
    expect(readableParameters(fns.stripeWebhook)).toEqual(
      secretPaths("STRIPE_WEBHOOK_SECRET"),
    );
  });

  it("may send to the queue and touch no table", () => {
    const actions = actionsOf(
      roleStatements(fns.stripeWebhook.template, fns.stripeWebhook.id),
    );
    expect(actions.filter((a) => !a.startsWith("ssm:"))).toEqual([
      "sqs:SendMessage",
    ]);
  });

  it("is told the queue and its Powertools name", () => {
    const env = environment(fns.stripeWebhook);
    expect(env).toHaveProperty(["PROVISION_QUEUE_URL"]);
    expect(env.POWERTOOLS_SERVICE_NAME).toBe("stripe-webhook");
  });
});

describe("Stripe's API key", () => {
  it("is bound to the consumer and the site, which call Stripe", () => {
    for (const fn of [fns.consumer, site]) {
      expect(environment(fn)).toHaveProperty([
        "SST_Secret_value_STRIPE_SECRET_KEY",
      ]);
    }
  });

  it("reaches neither webhook nor the reconcile job", () => {
    for (const fn of [fns.webhook, fns.stripeWebhook, reconcile]) {
      expect(environment(fn)).not.toHaveProperty([
        "SST_Secret_value_STRIPE_SECRET_KEY",
      ]);
      expect(readableParameters(fn)).not.toContain(
        secretPaths("STRIPE_SECRET_KEY")[0],
      );
    }
  });
});

describe("the Stripe webhook secret", () => {
  it("reaches only the Stripe webhook", () => {
    for (const fn of [fns.webhook, fns.consumer, site, reconcile]) {
      expect(environment(fn)).not.toHaveProperty([
        "SST_Secret_value_STRIPE_WEBHOOK_SECRET",
      ]);
    }
  });
});

describe("the price parameter", () => {
  it("is given to the site, which starts checkouts, and no one else", () => {
    expect(environment(site).SST_Parameter_value_STRIPE_PRICE_ID).toBe(
      testPriceId,
    );
    for (const fn of [fns.webhook, fns.stripeWebhook, fns.consumer, reconcile]) {
      expect(environment(fn)).not.toHaveProperty([
        "SST_Parameter_value_STRIPE_PRICE_ID",
      ]);
    }
  });
});
