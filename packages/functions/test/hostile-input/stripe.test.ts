import Stripe from "stripe";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { logLines } from "../../../../test/support/logs.js";
import {
  answeredLine,
  nestedArrays,
  nestedObjects,
  record,
  storedUser,
} from "./support.js";
import {
  checkoutEvent,
  endpointSecret,
  eventId,
  invoiceEvent,
  linked,
  nowSeconds,
  otherEndpointSecret,
  signedStripe,
  signedStripeBytes,
  stripeRequest,
  stripeSignature,
  subscriptionEvent,
  useStripeHostileSetup,
} from "./stripe-support.js";

/**
 * The Stripe webhook's rows of the hostile-input catalogue
 * (docs/hostile-input.md). Each case checks its answer, its log line and
 * that the table (records and Stripe links), the queue and the DLQ are
 * exactly as they were.
 */

const hostile = useStripeHostileSetup();
const { setup, webhook, throughConsumer } = hostile;

const linkedEvent = (change?: (event: any) => void) =>
  subscriptionEvent(hostile.ids.linked, change);

type WebhookCase = {
  input: string;
  request: () => APIGatewayProxyEventV2;
  status: number;
  body: Record<string, unknown>;
  /** Logged only once the body is read and its id has an event's shape. */
  logsEventId?: boolean;
};

function headerCase(
  input: string,
  header: (body: string) => string | undefined,
  status: number,
  error: string,
): WebhookCase {
  return {
    input,
    request: () => {
      const body = linkedEvent();
      return stripeRequest(body, header(body));
    },
    status,
    body: { error },
  };
}

function bodyCase(
  input: string,
  body: () => string,
  status: number,
  answer: Record<string, unknown>,
  logsEventId = true,
): WebhookCase {
  return {
    input,
    request: () => signedStripe(body()),
    status,
    body: answer,
    logsEventId,
  };
}

const invalid = (...fields: string[]) => ({
  error: "invalid-payload",
  fields,
});

const minutesAgo = (n: number) => nowSeconds() - n * 60;

const signatureCases: WebhookCase[] = [
  headerCase(
    "no Stripe-Signature header",
    () => undefined,
    400,
    "missing-signature-header",
  ),
  headerCase(
    "an empty Stripe-Signature",
    () => "",
    400,
    "missing-signature-header",
  ),
  headerCase(
    "a Stripe-Signature that is not one (nonsense)",
    () => "nonsense",
    400,
    "malformed-signature-header",
  ),
  headerCase(
    "the right HMAC under the v0 scheme only",
    (body) =>
      Stripe.webhooks.generateTestHeaderString({
        payload: body,
        secret: endpointSecret,
        scheme: "v0",
      }),
    400,
    "malformed-signature-header",
  ),
  headerCase(
    "a timestamp and no signature (t= only)",
    (body) => stripeSignature(body).split(",")[0],
    400,
    "malformed-signature-header",
  ),
  headerCase(
    "an empty v1=",
    (body) => stripeSignature(body).replace(/v1=.*/, "v1="),
    400,
    "malformed-signature-header",
  ),
  headerCase(
    "a bare v1 beside the right signature",
    (body) => `${stripeSignature(body)},v1`,
    400,
    "malformed-signature-header",
  ),
  headerCase(
    "the header sent twice, joined by a comma",
    (body) => `${stripeSignature(body)},${stripeSignature(body)}`,
    400,
    "malformed-signature-header",
  ),
  headerCase(
    "a forged header sent before the right one, joined by a comma",
    (body) => `t=${nowSeconds()},v1=${"0".repeat(64)},${stripeSignature(body)}`,
    400,
    "malformed-signature-header",
  ),
  headerCase(
    "the keys in upper case (T=, V1=)",
    (body) => stripeSignature(body).replace("t=", "T=").replace("v1=", "V1="),
    400,
    "malformed-signature-header",
  ),
  headerCase(
    "a timestamp in milliseconds",
    (body) => stripeSignature(body).replace(/^t=(\d+)/, "t=$1000"),
    400,
    "malformed-signature-header",
  ),
  headerCase(
    "a negative timestamp",
    (body) => stripeSignature(body).replace(/^t=/, "t=-"),
    400,
    "malformed-signature-header",
  ),
  headerCase(
    "a header of 4,097 characters",
    (body) => {
      const header = `${stripeSignature(body)},v0=`;
      return header.padEnd(4097, "a");
    },
    400,
    "malformed-signature-header",
  ),
  headerCase(
    "a signature made with another endpoint's secret",
    (body) => stripeSignature(body, { secret: otherEndpointSecret }),
    401,
    "bad-signature",
  ),
  headerCase(
    "a signature truncated by 20 hex digits",
    (body) => stripeSignature(body).slice(0, -20),
    401,
    "bad-signature",
  ),
  headerCase(
    "a v1 of 64 zeros",
    () => `t=${nowSeconds()},v1=${"0".repeat(64)}`,
    401,
    "bad-signature",
  ),
  headerCase(
    "the right signature with its timestamp moved by one second",
    (body) =>
      stripeSignature(body).replace(/^t=(\d+)/, (_, t) => `t=${Number(t) + 1}`),
    401,
    "bad-signature",
  ),
  headerCase(
    "the right signature with a blank after the comma",
    (body) => stripeSignature(body).replace(",", ", "),
    401,
    "bad-signature",
  ),
  headerCase(
    "a correctly signed delivery from 10 minutes ago",
    (body) => stripeSignature(body, { timestamp: minutesAgo(10) }),
    401,
    "timestamp-outside-window",
  ),
  headerCase(
    "a correctly signed delivery from 301 seconds ago",
    (body) => stripeSignature(body, { timestamp: nowSeconds() - 301 }),
    401,
    "timestamp-outside-window",
  ),
  headerCase(
    "a correctly signed delivery from 10 minutes in the future",
    (body) => stripeSignature(body, { timestamp: minutesAgo(-10) }),
    401,
    "timestamp-outside-window",
  ),
  {
    input: "a signed body changed by one byte",
    request: () => {
      const body = linkedEvent();
      const request = signedStripe(body);
      request.body = body.replace('"active"', '"activf"');
      return request;
    },
    status: 401,
    body: { error: "bad-signature" },
  },
];

const bodyCases: WebhookCase[] = [
  bodyCase(
    "a signed body that is not JSON (a form)",
    () => "type=customer.subscription.updated&data[object][customer]=cus_x",
    400,
    { error: "body-not-json" },
    false,
  ),
  {
    input: "a signed body that is not UTF-8",
    request: () =>
      signedStripeBytes(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
    status: 400,
    body: { error: "body-not-utf8" },
  },
  {
    input: "a signed body that starts with a byte-order mark",
    request: () =>
      signedStripeBytes(
        Buffer.concat([
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from(linkedEvent()),
        ]),
      ),
    status: 400,
    body: { error: "body-not-json" },
  },
  bodyCase(
    "a signed body of 256 KB and one byte",
    () => " ".repeat(256 * 1024 + 1),
    413,
    { error: "body-too-large" },
    false,
  ),
  ...["null", "[]", "42", '"customer.subscription.updated"'].map((json) =>
    bodyCase(`the signed JSON value ${json}`, () => json, 400, {
      error: "missing-event-type",
    }, false),
  ),
  bodyCase(
    "a signed array nested 100,000 deep",
    () => nestedArrays(100_000),
    400,
    { error: "missing-event-type" },
    false,
  ),
  bodyCase(
    "a subscription event whose object is nested 40,000 deep",
    () =>
      linkedEvent((e) => (e.data.object = "DEEP")).replace(
        '"DEEP"',
        nestedObjects(40_000),
      ),
    400,
    invalid("data.object.object", "data.object.id", "data.object.customer"),
  ),
  bodyCase("a numeric type", () => linkedEvent((e) => (e.type = 7)), 400, {
    error: "missing-event-type",
  }),
  bodyCase(
    "no event id",
    () => linkedEvent((e) => delete e.id),
    400,
    invalid("id"),
    false,
  ),
  bodyCase(
    "a numeric event id",
    () => linkedEvent((e) => (e.id = 12345)),
    400,
    invalid("id"),
    false,
  ),
  bodyCase(
    "created as a string",
    () => linkedEvent((e) => (e.created = String(e.created))),
    400,
    invalid("created"),
  ),
  bodyCase(
    "a negative created",
    () => linkedEvent((e) => (e.created = -1)),
    400,
    invalid("created"),
  ),
  bodyCase(
    "an invoice's kind under a subscription event",
    () => linkedEvent((e) => (e.data.object.object = "invoice")),
    400,
    invalid("data.object.object"),
  ),
  bodyCase(
    "a numeric customer",
    () => linkedEvent((e) => (e.data.object.customer = 42)),
    400,
    invalid("data.object.customer"),
  ),
  bodyCase(
    "a __proto__ key carrying the type",
    () =>
      linkedEvent((e) => delete e.type).replace(
        "{",
        '{"__proto__":{"type":"customer.subscription.updated"},',
      ),
    400,
    { error: "missing-event-type" },
  ),
  bodyCase(
    "a __proto__ key carrying the data",
    () => {
      const data = JSON.stringify(JSON.parse(linkedEvent()).data);
      return linkedEvent((e) => delete e.data).replace(
        "{",
        `{"__proto__":{"data":${data}},`,
      );
    },
    400,
    invalid("data"),
  ),
  bodyCase(
    "a __proto__ key inside the subscription carrying the customer",
    () =>
      linkedEvent((e) => delete e.data.object.customer).replace(
        '"object":"subscription"',
        `"object":"subscription",` +
          `"__proto__":{"customer":"${hostile.ids.linked.customer}"}`,
      ),
    400,
    invalid("data.object.customer"),
  ),
  bodyCase(
    "constructor.prototype inside the subscription carrying the customer",
    () =>
      linkedEvent((e) => delete e.data.object.customer).replace(
        '"object":"subscription"',
        `"object":"subscription","constructor":{"prototype":` +
          `{"customer":"${hostile.ids.linked.customer}"}}`,
      ),
    400,
    invalid("data.object.customer"),
  ),
];

const idCases: WebhookCase[] = [
  ...[
    ["the prefix ev_", "ev_1HostileStripeDelivery00"],
    ["the prefix in upper case", "EVT_1HostileStripeDelivery00"],
  ].map(([what, id]) =>
    bodyCase(
      `an event id with ${what}`,
      () => linkedEvent((e) => (e.id = id)),
      400,
      invalid("id"),
      false,
    ),
  ),
  ...([
    [
      "the prefix in upper case",
      () => hostile.ids.linked.customer.toUpperCase(),
    ],
    ["a Checkout Session's prefix", () => "cs_test_a1WvnB3eDguI7dxy6llB3L"],
    ["an account's prefix", () => "acct_1HostileAccount000"],
    [
      "a path in it",
      () => `${hostile.ids.linked.customer}/../${hostile.ids.other.customer}`,
    ],
    ["256 characters after cus_", () => `cus_${"a".repeat(256)}`],
  ] as const).map(([what, customer]) =>
    bodyCase(
      `a customer id with ${what}`,
      () => linkedEvent((e) => (e.data.object.customer = customer())),
      400,
      invalid("stripeCustomerId"),
    ),
  ),
  ...([
    [
      "the prefix in upper case",
      () => hostile.ids.linked.subscription.toUpperCase(),
    ],
    ["a subscription item's prefix", () => "si_T6TR41zlO1VQ3e"],
  ] as const).map(([what, subscription]) =>
    bodyCase(
      `a subscription id with ${what}`,
      () => linkedEvent((e) => (e.data.object.id = subscription())),
      400,
      invalid("subscriptionId"),
    ),
  ),
  bodyCase(
    "a completed checkout whose subscription is a Checkout Session id",
    () =>
      checkoutEvent(
        {
          customer: hostile.ids.linked.customer,
          subscription: "cs_test_a1WvnB3e",
        },
        linked,
      ),
    400,
    invalid("subscriptionId"),
  ),
  bodyCase(
    "a paid invoice whose customer id is in upper case",
    () =>
      invoiceEvent({
        customer: hostile.ids.linked.customer.toUpperCase(),
        subscription: hostile.ids.linked.subscription,
      }),
    400,
    invalid("stripeCustomerId"),
  ),
];

const ignored = (reason: string) => ({ received: true, reason });

const typeCases: WebhookCase[] = [
  ...[
    ["an unknown event type", "customer.subscription.hijacked"],
    ["a tracked type in another case", "Customer.Subscription.Updated"],
    ["an untracked type of Stripe's", "customer.deleted"],
    ["an empty event type", ""],
  ].map(([what, type]) =>
    bodyCase(
      `${what} (${JSON.stringify(type)})`,
      () => linkedEvent((e) => (e.type = type)),
      200,
      ignored("type-not-handled"),
    ),
  ),
  bodyCase(
    "a completed checkout in payment mode",
    () =>
      checkoutEvent(hostile.ids.linked, linked, (e) => {
        e.data.object.mode = "payment";
        e.data.object.subscription = null;
      }),
    200,
    ignored("no-subscription"),
  ),
  bodyCase(
    "a paid invoice with no subscription",
    () =>
      invoiceEvent(hostile.ids.linked, (e) => {
        e.data.object.subscription = null;
      }),
    200,
    ignored("no-subscription"),
  ),
];

describe.each([
  ["signatures", signatureCases],
  ["bodies", bodyCases],
  ["ids", idCases],
  ["event types", typeCases],
])("Stripe webhook, hostile %s", (_, cases) => {
  it.each(cases.map((c) => [c.input, c] as const))(
    "answers %s clearly and changes nothing",
    async (_, hostile) => {
      const request = hostile.request();

      const response = await webhook(request);

      expect(response.statusCode).toBe(hostile.status);
      expect(JSON.parse(response.body!)).toEqual(hostile.body);
      const line = answeredLine();
      expect(line).toMatchObject({
        level: hostile.status >= 400 ? "WARN" : "INFO",
        service: "stripe-webhook",
        status: hostile.status,
        reason: hostile.body.error ?? hostile.body.reason,
      });
      expect(line.fields).toEqual(hostile.body.fields);
      const loggedId = hostile.logsEventId ? eventId : undefined;
      expect(line.stripeEventId).toBe(loggedId);
      await setup.expectNothingChanged();
    },
  );
});

describe("Stripe webhook, hostile hints beside a valid event", () => {
  it.each([
    ["not a Clerk id (upper case)", linked.replace("user_", "USER_")],
    ["an organisation id", "org_2hostileOrganisation0"],
    ["an email address", "someone@example.test"],
  ])(
    "ignores a metadata userId that is %s and resolves the user by the link, changing nothing",
    async (_, hint) => {
      const body = linkedEvent((e) => {
        e.data.object.metadata = { userId: hint };
      });

      const { response, answered, queued, consumed, consumerLines } =
        await throughConsumer(body);

      expect(response.statusCode).toBe(200);
      expect(answered).toMatchObject({
        reason: "enqueued",
        stripeEventId: eventId,
      });
      expect(queued).toHaveLength(1);
      expect(JSON.parse(queued[0]!).payload).toEqual({
        eventId,
        type: "customer.subscription.updated",
        created: JSON.parse(body).created,
        stripeCustomerId: hostile.ids.linked.customer,
        subscriptionId: hostile.ids.linked.subscription,
      });
      expect(consumed.batchItemFailures).toEqual([]);
      expect(consumerLines).toEqual([
        expect.objectContaining({
          level: "INFO",
          message: "message applied",
          userId: linked,
          outcome: "unchanged",
          membership: "pro",
        }),
      ]);
      await setup.expectNothingChanged();
    },
  );

  it("ignores a metadata __proto__ key carrying another user's id, changing nothing", async () => {
    const body = linkedEvent((e) => (e.data.object.metadata = "HINT")).replace(
      '"metadata":"HINT"',
      `"metadata":{"__proto__":{"userId":"${storedUser}"}}`,
    );

    const { response, queued, consumed, consumerLines } =
      await throughConsumer(body);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(queued[0]!).payload).not.toHaveProperty("userId");
    expect(consumed.batchItemFailures).toEqual([]);
    expect(consumerLines).toEqual([
      expect.objectContaining({ userId: linked, outcome: "unchanged" }),
    ]);
    await setup.expectNothingChanged();
  });

  it("queues only the ids of an event that also carries the buyer's details, record fields and an object 30,000 deep, changing nothing", async () => {
    const body = linkedEvent((e) => {
      Object.assign(e.data.object, {
        membership: "pro",
        status: "active",
        email: "buyer@example.test",
        userId: storedUser,
        stripeCustomerId: hostile.ids.other.customer,
        description: "DEEP",
      });
    }).replace('"DEEP"', nestedObjects(30_000));

    const { response, queued, consumed, consumerLines } =
      await throughConsumer(body);

    expect(response.statusCode).toBe(200);
    expect(queued).toHaveLength(1);
    expect(queued[0]).not.toContain("@");
    expect(Object.keys(JSON.parse(queued[0]!).payload).sort()).toEqual([
      "created",
      "eventId",
      "stripeCustomerId",
      "subscriptionId",
      "type",
    ]);
    expect(consumed.batchItemFailures).toEqual([]);
    expect(consumerLines).toEqual([
      expect.objectContaining({ userId: linked, outcome: "unchanged" }),
    ]);
    await setup.expectNothingChanged();
  });

  it("answers the same signed delivery three times and writes nothing", async () => {
    const body = linkedEvent();
    const request = signedStripe(body);

    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await webhook(request));
    const queued = await setup.takeQueued();
    const consumed = await setup.provision({
      Records: queued.map((message, i) => record(message, `replay-${i}`)),
    });

    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200]);
    expect(queued).toHaveLength(3);
    expect(consumed.batchItemFailures).toEqual([]);
    const applied = logLines().filter(
      (line) => line.message === "message applied",
    );
    expect(applied.map((line) => line.outcome)).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
    ]);
    await setup.expectNothingChanged();
  });
});

