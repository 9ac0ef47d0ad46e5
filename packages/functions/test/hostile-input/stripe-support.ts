import { createHmac, randomBytes } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import Stripe from "stripe";
import { afterAll, beforeAll } from "vitest";
import * as Customer from "@app/core/customer";
import {
  ensureStripeCustomer,
  stripeClient,
  syncMembership,
} from "@app/core/stripe";
import {
  startStripeStandIn,
  type StripeStandIn,
} from "../../../local/src/stripe-api/index.js";
import { stripeWebhookConfig } from "../../src/stripe-webhook-config.js";
import { createHandler } from "../../src/stripe-webhook.js";
import { fixtureJson } from "../../../../test/support/fixtures.js";
import { logLines } from "../../../../test/support/logs.js";
import { answeredLine, record, useHostileSetup } from "./support.js";

/**
 * What the Stripe hostile-input tests share: the setup of support.ts
 * plus a local Stripe, users linked to Stripe customers, the real Stripe
 * webhook handler, and real-format events from the shared fixtures
 * pointed at the ids a test chooses, signed by the `stripe` library as
 * Stripe signs them.
 */

/** Pro, with a Stripe customer and an active subscription. */
export const linked = "user_hostileLinkedPro1";
/** Free, linked to a Stripe customer of its own. */
export const other = "user_hostileOtherLinked1";
/** Deleted after its Stripe customer was linked. */
export const tombstoned = "user_hostileTombstoned1";

export type Ids = { customer: string; subscription: string };

export type StripeIds = {
  linked: Ids;
  other: Ids;
  tombstoned: Ids;
  /** A paying Stripe customer no user is linked to. */
  unlinked: Ids;
};

/**
 * The stored records are the Clerk one of support.ts and the users above,
 * with their links; all are in the snapshot that every case compares.
 */
export function useStripeHostileSetup() {
  let standIn: StripeStandIn;
  let ids: StripeIds;
  let webhook: ReturnType<typeof createHandler>;
  const stripe = () =>
    stripeClient({ secretKey: standIn.secretKey, apiUrl: standIn.url });

  /** A user linked to a Stripe customer, synced, as checkout leaves one. */
  async function linkedCustomer(userId: string, status?: string) {
    const { customer } = await Customer.ensure(userId, { createdBy: "page" });
    const stripeCustomerId = await ensureStripeCustomer(stripe(), customer);
    const subscription = status
      ? standIn.createSubscription(stripeCustomerId, {
          status,
          metadata: { userId },
        }).id
      : "sub_neverCreated0";
    await syncMembership(stripe(), userId, stripeCustomerId);
    return { customer: stripeCustomerId, subscription };
  }

  async function unlinkedCustomer(): Promise<Ids> {
    const customer = await stripe().customers.create({});
    const subscription = standIn.createSubscription(customer.id, {
      status: "active",
    }).id;
    return { customer: customer.id, subscription };
  }

  const setup = useHostileSetup({
    async prepare() {
      standIn = await startStripeStandIn();
      // Read by the consumer when it is loaded, after this.
      Object.assign(process.env, {
        STRIPE_SECRET_KEY: standIn.secretKey,
        STRIPE_API_URL: standIn.url,
      });
      ids = {
        linked: await linkedCustomer(linked, "active"),
        other: await linkedCustomer(other),
        tombstoned: await linkedCustomer(tombstoned, "active"),
        unlinked: await unlinkedCustomer(),
      };
      await Customer.markDeleted(tombstoned);
    },
  });

  beforeAll(() => {
    webhook = createHandler(() =>
      stripeWebhookConfig({
        STRIPE_WEBHOOK_SECRET: endpointSecret,
        PROVISION_QUEUE_URL: setup.aws.queues.queueUrl,
      }),
    );
  });

  afterAll(async () => {
    await standIn?.stop();
  });

  return {
    setup,
    get standIn() {
      return standIn;
    },
    get ids() {
      return ids;
    },
    webhook: (request: APIGatewayProxyEventV2) => webhook(request),
    linkedCustomer,
    /**
     * Delivers `body` signed, takes what the webhook queued and gives it
     * to the consumer as its first receive.
     */
    async throughConsumer(body: string) {
      const response = await webhook(signedStripe(body));
      const answered = answeredLine();
      const queued = await setup.takeQueued();
      const consumed = await setup.provision({
        Records: queued.map((message, i) => record(message, `stripe-${i}`)),
      });
      const consumerLines = logLines().filter(
        (line) => line.service === "provision",
      );
      return { response, answered, queued, consumed, consumerLines };
    },
  };
}

export const endpointSecret = "whsec_hostileStripeEndpoint0123456789";
export const otherEndpointSecret = "whsec_anotherStripeEndpoint9876543210";

/** The event id every delivery carries unless a case changes it. */
export const eventId = "evt_1HostileStripeDelivery00";

const subscriptionFixture = fixtureJson(
  "stripe/customer-subscription-updated.2025-08-27.json",
);
const checkoutFixture = fixtureJson(
  "stripe/checkout-session-completed.2023-08-16.json",
);
const invoiceFixture = fixtureJson("stripe/invoice-paid.2023-08-16.json");

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function newEventId(): string {
  return `evt_${randomBytes(12).toString("hex")}`;
}

type Change = (event: any) => void;

function prepared(fixture: object, change?: Change): any {
  const event: any = structuredClone(fixture);
  event.id = eventId;
  event.created = nowSeconds();
  change?.(event);
  return event;
}

/** `customer.subscription.updated` for `ids`, with no user hint. */
export function subscriptionEvent(ids: Ids, change?: Change): string {
  return JSON.stringify(
    prepared(subscriptionFixture, (event) => {
      Object.assign(event.data.object, {
        id: ids.subscription,
        customer: ids.customer,
        metadata: {},
      });
      change?.(event);
    }),
  );
}

/** `checkout.session.completed` in subscription mode for `ids`. */
export function checkoutEvent(
  ids: Ids,
  clientReferenceId: string | null,
  change?: Change,
): string {
  return JSON.stringify(
    prepared(checkoutFixture, (event) => {
      Object.assign(event.data.object, {
        customer: ids.customer,
        subscription: ids.subscription,
        client_reference_id: clientReferenceId,
        metadata: {},
      });
      change?.(event);
    }),
  );
}

/** `invoice.paid` (API 2023-08-16: the subscription on the invoice). */
export function invoiceEvent(ids: Ids, change?: Change): string {
  return JSON.stringify(
    prepared(invoiceFixture, (event) => {
      Object.assign(event.data.object, {
        customer: ids.customer,
        subscription: ids.subscription,
      });
      change?.(event);
    }),
  );
}

export function stripeSignature(
  payload: string,
  options: { secret?: string; timestamp?: number } = {},
): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? endpointSecret,
    timestamp: options.timestamp,
  });
}

/** An API Gateway v2 event for `POST /webhooks/stripe`. */
export function stripeRequest(
  body: string | Buffer,
  signature: string | undefined,
): APIGatewayProxyEventV2 {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const text = typeof body === "string";
  return {
    version: "2.0",
    routeKey: "POST /webhooks/stripe",
    rawPath: "/webhooks/stripe",
    rawQueryString: "",
    headers: {
      "content-type": "application/json; charset=utf-8",
      ...(signature !== undefined && { "stripe-signature": signature }),
    },
    requestContext: {} as APIGatewayProxyEventV2["requestContext"],
    body: text ? body : bytes.toString("base64"),
    isBase64Encoded: !text,
  };
}

/** A delivery signed over its text, as Stripe sends one. */
export function signedStripe(
  body: string,
  options: { secret?: string; timestamp?: number } = {},
): APIGatewayProxyEventV2 {
  return stripeRequest(body, stripeSignature(body, options));
}

/**
 * Signs raw bytes: Stripe's HMAC-SHA256 over `timestamp.` and the body,
 * keyed with the whole endpoint secret, put in a header by the library.
 */
export function signedStripeBytes(bytes: Buffer): APIGatewayProxyEventV2 {
  const timestamp = nowSeconds();
  const mac = createHmac("sha256", endpointSecret)
    .update(Buffer.concat([Buffer.from(`${timestamp}.`), bytes]))
    .digest("hex");
  const header = Stripe.webhooks.generateTestHeaderString({
    payload: "",
    secret: endpointSecret,
    timestamp,
    signature: mac,
  });
  return stripeRequest(bytes, header);
}

/** The queued message as the webhook would write it for `payload`. */
export function stripeEnvelope(payload: unknown) {
  return {
    version: 1,
    source: "stripe",
    eventId,
    type: "customer.subscription.updated",
    receivedAt: new Date().toISOString(),
    payload,
  };
}
