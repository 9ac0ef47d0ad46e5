import { createServer, type Server } from "node:http";
import type Stripe from "stripe";
import type { SubscriptionShape } from "./objects";
import { requestListener, stripeApi, type ApiRequest } from "./server";
import * as Checkout from "./checkout";
import * as Customers from "./customers";
import { State, type Metadata } from "./state";
import { readStateFile, stateFileWriter } from "./state-file";
import * as Subscriptions from "./subscriptions";
import {
  signDelivery,
  webhookSender,
  type Delivery,
  type SignedDelivery,
} from "./webhooks";

export type { ApiRequest, Delivery, SignedDelivery, SubscriptionShape };
export { StateFileError } from "./state-file";

export const defaultSecretKey = "sk_test_local_standin";

export type StripeStandInOptions = {
  /** 0 (the default) takes a free port. */
  port?: number;
  /** The one API key accepted; `sk_test_local_standin` by default. */
  secretKey?: string;
  /** Where events are posted; without one they are only kept. */
  webhook?: { url: string; secret: string };
  /** `auto` (the default) posts each event in order, in the background. */
  deliver?: "auto" | "manual";
  /** `item-period` (API 2025+, the default) or the older shape. */
  subscriptionShape?: SubscriptionShape;
  /**
   * A JSON file that keeps everything but idempotency keys across
   * restarts: read at start when it exists, rewritten after each change.
   * One that cannot be read fails start with a `StateFileError`.
   */
  stateFile?: string;
};

export type StripeStandIn = {
  url: string;
  port: number;
  secretKey: string;
  /** Where the state is kept; undefined when it is only in memory. */
  stateFile?: string;
  /** The one recurring monthly "pro" price that exists from the start. */
  priceId: string;
  /** For `new Stripe(secretKey, sdkOptions)`. */
  sdkOptions: { host: "localhost"; port: number; protocol: "http" };
  /** The stand-in's clock, epoch seconds: the wall clock plus advances. */
  now(): number;
  /**
   * Time passes: a subscription set to cancel at period end whose period
   * ended is canceled; an active one past its period renews.
   */
  advanceClock(seconds: number): void;
  customers(): Stripe.Customer[];
  subscriptions(): Stripe.Subscription[];
  checkoutSessions(): Stripe.Checkout.Session[];
  subscription(id: string): Stripe.Subscription | undefined;
  createSubscription(
    customerId: string,
    options?: { status?: string; metadata?: Metadata },
  ): Stripe.Subscription;
  /** Any status, also ones Stripe does not have; emits Stripe's event. */
  setSubscriptionStatus(id: string, status: string): Stripe.Subscription;
  /** What the hosted page's Pay button does. */
  completeCheckout(sessionId: string): {
    session: Stripe.Checkout.Session;
    subscription: Stripe.Subscription;
  };
  /** Every event emitted, in order. */
  events(): Stripe.Event[];
  deliveries(): Delivery[];
  /** Resolves once every event emitted so far is delivered (or failed). */
  settled(): Promise<void>;
  /** Every `/v1` request, so a test can count what the product asked. */
  requests(): ApiRequest[];
  /** An event signed as Stripe signs it; the webhook's secret by default. */
  signedDelivery(
    event: Stripe.Event,
    options?: { timestamp?: number; secret?: string },
  ): SignedDelivery;
  stop(): Promise<void>;
};

/**
 * A local Stripe for tests and the offline stack: the part of the HTTP API
 * the product calls, hosted Checkout and portal pages, and signed webhooks.
 *
 * Limitations: without `stateFile` the state is gone when it stops, and
 * with one, events not yet delivered when it stopped are never sent;
 * idempotency keys are forgotten on restart either way; Checkout
 * takes `mode=subscription` only and every payment succeeds (no cards,
 * trials, proration or failed renewals unless a test sets a status);
 * sessions never expire; failed webhook deliveries are not retried;
 * `/v1/events` and other endpoints the product does not call are absent
 * (they answer 404 `Unrecognized request URL`).
 */
export async function startStripeStandIn(
  options: StripeStandInOptions = {},
): Promise<StripeStandIn> {
  const secretKey = options.secretKey ?? defaultSecretKey;
  const shape = options.subscriptionShape ?? "item-period";
  const sender =
    options.webhook && (options.deliver ?? "auto") === "auto"
      ? webhookSender(options.webhook)
      : undefined;
  const { stateFile } = options;
  const saved = stateFile ? readStateFile(stateFile) : undefined;
  // Session urls name the port, so requests are taken once it is known.
  const server = createServer();
  const port = await listen(server, options.port ?? 0);
  const url = `http://localhost:${port}`;
  const state = new State(
    {
      baseUrl: url,
      shape,
      pendingWebhooks: sender ? 1 : 0,
      onEvent: (event) => sender?.send(event),
    },
    saved,
  );
  const save = stateFile ? stateFileWriter(stateFile, state) : () => {};
  try {
    // At once, so that the price id is the same after a restart.
    save();
  } catch (error) {
    server.close();
    throw error;
  }
  const changing = <T>(work: () => T): T => {
    try {
      return work();
    } finally {
      save();
    }
  };
  const api = stripeApi(state, { secretKey, shape });
  server.on("request", requestListener(state, api, save));

  const subscription = (json: object) => json as Stripe.Subscription;
  return {
    url,
    port,
    secretKey,
    stateFile,
    priceId: state.proPrice.id,
    sdkOptions: { host: "localhost", port, protocol: "http" },
    now: () => state.now(),
    advanceClock: (seconds) =>
      changing(() => {
        state.moveClock(seconds);
        Subscriptions.catchUp(state);
      }),
    customers: () => Customers.list(state) as Stripe.Customer[],
    subscriptions: () =>
      Subscriptions.list(state, { status: "all" }).reverse().map(subscription),
    checkoutSessions: () =>
      Checkout.list(state) as Stripe.Checkout.Session[],
    subscription(id) {
      const record = state.subscriptions.get(id);
      return record && subscription(state.subscriptionJson(record));
    },
    createSubscription: (customerId, options) =>
      changing(() =>
        subscription(Subscriptions.create(state, customerId, options)),
      ),
    setSubscriptionStatus: (id, status) =>
      changing(() => subscription(Subscriptions.setStatus(state, id, status))),
    completeCheckout(sessionId) {
      const paid = changing(() => Checkout.complete(state, sessionId));
      return {
        session: paid.session as Stripe.Checkout.Session,
        subscription: subscription(paid.subscription),
      };
    },
    events: () => [...state.events],
    deliveries: () => [...(sender?.deliveries ?? [])],
    settled: () => sender?.settled() ?? Promise.resolve(),
    requests: () => api.requests.map((request) => ({ ...request })),
    signedDelivery(event, signing = {}) {
      const secret = signing.secret ?? options.webhook?.secret;
      if (!secret) {
        throw new Error("signedDelivery needs a secret: none was configured");
      }
      return signDelivery(event, secret, signing.timestamp);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sender?.settled();
    },
  };
}

/** Listens on localhost, the host the SDK is pointed at. */
function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "localhost", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}
