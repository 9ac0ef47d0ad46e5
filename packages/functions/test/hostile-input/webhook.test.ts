import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { svixHeaders } from "../../../../test/support/webhook.js";
import {
  answeredLine,
  created,
  event,
  nestedArrays,
  nestedObjects,
  otherSecret,
  record,
  signed,
  signedBytes,
  storedUser,
  useHostileSetup,
  withEvent,
} from "./support.js";

/**
 * The Clerk webhook's rows of the hostile-input catalogue
 * (docs/hostile-input.md). Each case checks its answer, its log line and
 * that the table and the queues are exactly as they were.
 */

const setup = useHostileSetup();

type WebhookCase = {
  input: string;
  request: () => APIGatewayProxyEventV2;
  status: number;
  body: Record<string, unknown>;
  /** Logged only when the delivery id is well formed. */
  logsSvixId: boolean;
};

function headerCase(
  input: string,
  change: (headers: Record<string, string>) => void,
  status: number,
  error: string,
  logsSvixId = true,
): WebhookCase {
  return {
    input,
    request: () => {
      const request = signed(created);
      change(request.headers as Record<string, string>);
      return request;
    },
    status,
    body: { error },
    logsSvixId,
  };
}

function bodyCase(
  input: string,
  body: () => string,
  status: number,
  answer: Record<string, unknown>,
): WebhookCase {
  return {
    input,
    request: () => signed(body()),
    status,
    body: answer,
    logsSvixId: true,
  };
}

const minutes = (n: number) => new Date(Date.now() + n * 60_000);

const signatureCases: WebhookCase[] = [
  headerCase(
    "no Svix headers at all",
    (h) => {
      delete h["svix-id"];
      delete h["svix-timestamp"];
      delete h["svix-signature"];
    },
    400,
    "missing-svix-headers",
    false,
  ),
  headerCase(
    "no svix-signature",
    (h) => delete h["svix-signature"],
    400,
    "missing-svix-headers",
  ),
  headerCase(
    "no svix-timestamp",
    (h) => delete h["svix-timestamp"],
    400,
    "missing-svix-headers",
  ),
  headerCase(
    "an empty svix-id",
    (h) => (h["svix-id"] = ""),
    400,
    "missing-svix-headers",
    false,
  ),
  headerCase(
    "a signature that is not one (v1,AAAA)",
    (h) => (h["svix-signature"] = "v1,AAAA"),
    401,
    "bad-signature",
  ),
  headerCase(
    "a signature made with another secret",
    (h) => {
      const id = h["svix-id"]!;
      const at = new Date(Number(h["svix-timestamp"]) * 1000);
      h["svix-signature"] = svixHeaders(otherSecret, id, created, at)[
        "svix-signature"
      ]!;
    },
    401,
    "bad-signature",
  ),
  headerCase(
    "a truncated signature",
    (h) => (h["svix-signature"] = h["svix-signature"]!.slice(0, 20)),
    401,
    "bad-signature",
  ),
  headerCase(
    "the right signature under another version (v2,)",
    (h) =>
      (h["svix-signature"] = h["svix-signature"]!.replace(/^v1,/, "v2,")),
    401,
    "bad-signature",
  ),
  headerCase(
    "a signature header of only a blank",
    (h) => (h["svix-signature"] = " "),
    401,
    "bad-signature",
  ),
  headerCase(
    "a valid signature replayed under another svix-id",
    (h) => (h["svix-id"] = "msg_replayedUnderAnotherId"),
    401,
    "bad-signature",
  ),
  headerCase(
    "a valid signature with svix-timestamp moved by one second",
    (h) => (h["svix-timestamp"] = String(Number(h["svix-timestamp"]) + 1)),
    401,
    "bad-signature",
  ),
  {
    input: "a correctly signed delivery from 10 minutes ago",
    request: () => signed(created, { at: minutes(-10) }),
    status: 401,
    body: { error: "timestamp-outside-window" },
    logsSvixId: true,
  },
  {
    input: "a correctly signed delivery from 10 minutes in the future",
    request: () => signed(created, { at: minutes(10) }),
    status: 401,
    body: { error: "timestamp-outside-window" },
    logsSvixId: true,
  },
  headerCase(
    "a timestamp in milliseconds",
    (h) => (h["svix-timestamp"] = String(Date.now())),
    400,
    "malformed-timestamp",
  ),
  headerCase(
    "a negative timestamp",
    (h) => (h["svix-timestamp"] = `-${h["svix-timestamp"]}`),
    400,
    "malformed-timestamp",
  ),
  headerCase(
    "a timestamp that is a date string",
    (h) => (h["svix-timestamp"] = new Date().toUTCString()),
    400,
    "malformed-timestamp",
  ),
  headerCase(
    "an email address as svix-id",
    (h) => (h["svix-id"] = "person@example.test"),
    400,
    "malformed-svix-id",
    false,
  ),
  headerCase(
    "a 129-character svix-id",
    (h) => (h["svix-id"] = "m".repeat(129)),
    400,
    "malformed-svix-id",
    false,
  ),
];

const bodyCases: WebhookCase[] = [
  {
    input: "a signed body changed by one byte",
    request: () => {
      const request = signed(created);
      request.body = created.replace("Fixture", "Fixturf");
      return request;
    },
    status: 401,
    body: { error: "bad-signature" },
    logsSvixId: true,
  },
  bodyCase("a signed body that is not JSON", () => "type=user.created", 400, {
    error: "body-not-json",
  }),
  {
    input: "a signed body that is not UTF-8",
    request: () => {
      const bytes = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
      const request = signedBytes(bytes);
      return request;
    },
    status: 400,
    body: { error: "body-not-utf8" },
    logsSvixId: true,
  },
  bodyCase(
    "a signed body of 256 KB and one byte",
    () => " ".repeat(256 * 1024 + 1),
    413,
    { error: "body-too-large" },
  ),
  ...(["null", "[]", "42", '"user.created"'] as const).map((json) =>
    bodyCase(`the signed JSON value ${json}`, () => json, 400, {
      error: "missing-event-type",
    }),
  ),
  bodyCase(
    "a signed array nested 100,000 deep",
    () => nestedArrays(100_000),
    400,
    { error: "missing-event-type" },
  ),
  bodyCase(
    "user.created whose data is an array nested 50,000 deep",
    () => `{"type":"user.created","data":${nestedArrays(50_000)}}`,
    400,
    { error: "invalid-payload", fields: ["data"] },
  ),
  bodyCase(
    "a numeric type",
    () => withEvent((e) => (e.type = 5)),
    400,
    { error: "missing-event-type" },
  ),
  bodyCase(
    "a numeric user id",
    () => withEvent((e) => (e.data.id = 5)),
    400,
    { error: "invalid-payload", fields: ["data.id"] },
  ),
  bodyCase(
    "updated_at as a string",
    () => withEvent((e) => (e.data.updated_at = String(e.data.updated_at))),
    400,
    { error: "invalid-payload", fields: ["data.updated_at"] },
  ),
  bodyCase(
    "email_addresses as an object",
    () => withEvent((e) => (e.data.email_addresses = { 0: {} })),
    400,
    { error: "invalid-payload", fields: ["data.email_addresses"] },
  ),
  bodyCase(
    "a first name of 257 characters",
    () => withEvent((e) => (e.data.first_name = "x".repeat(257))),
    400,
    { error: "invalid-payload", fields: ["data.first_name"] },
  ),
  bodyCase(
    "a __proto__ key carrying the type",
    () => `{"__proto__":{"type":"user.created"},"data":${dataJson()}}`,
    400,
    { error: "missing-event-type" },
  ),
  bodyCase(
    "a __proto__ key carrying the data",
    () => `{"type":"user.created","__proto__":{"data":${dataJson()}}}`,
    400,
    { error: "invalid-payload", fields: ["data"] },
  ),
  bodyCase(
    "a __proto__ key inside data carrying the user id",
    () =>
      withoutId().replace(
        '"data":{',
        `"data":{"__proto__":{"id":"${storedUser}"},`,
      ),
    400,
    { error: "invalid-payload", fields: ["data.id"] },
  ),
  bodyCase(
    "constructor.prototype inside data carrying the user id",
    () =>
      withoutId().replace(
        '"data":{',
        `"data":{"constructor":{"prototype":{"id":"${storedUser}"}},`,
      ),
    400,
    { error: "invalid-payload", fields: ["data.id"] },
  ),
];

const idCases: WebhookCase[] = [
  ...[
    ["the organisation prefix org_", "org_29w83sxmDNGwOuEthce5gg56FcC"],
    ["the prefix usr_", "usr_29w83sxmDNGwOuEthce5gg56FcC"],
    ["the prefix in upper case", storedUser.replace("user_", "USER_")],
    ["the prefix capitalised", storedUser.replace("user_", "User_")],
    ["a path in it", `${storedUser}/../user_other`],
    ["65 characters after user_", `user_${"a".repeat(65)}`],
  ].map(([what, id]) =>
    bodyCase(
      `user.created with ${what}`,
      () => withEvent((e) => (e.data.id = id)),
      400,
      { error: "invalid-payload", fields: ["data.id"] },
    ),
  ),
  bodyCase(
    "user.deleted for an organisation id",
    () =>
      JSON.stringify({
        type: "user.deleted",
        data: { id: "org_29w83sxmDNGwOuEthce5gg56FcC", deleted: true },
      }),
    400,
    { error: "invalid-payload", fields: ["data.id"] },
  ),
  bodyCase(
    "user.deleted without an id",
    () => JSON.stringify({ type: "user.deleted", data: { deleted: true } }),
    400,
    { error: "invalid-payload", fields: ["data.id"] },
  ),
];

const typeCases: WebhookCase[] = [
  ["an unknown event type", "user.hijacked"],
  ["a known type in another case", "User.Created"],
  ["an empty event type", ""],
].map(([what, type]) =>
  bodyCase(
    `${what} (${JSON.stringify(type)})`,
    () => withEvent((e) => (e.type = type)),
    200,
    { received: true, reason: "type-not-handled" },
  ),
);

function dataJson(): string {
  return JSON.stringify(event.data);
}

function withoutId(): string {
  return withEvent((e) => delete e.data.id);
}

describe.each([
  ["signatures and Svix headers", signatureCases],
  ["bodies", bodyCases],
  ["user ids", idCases],
  ["event types", typeCases],
])("Clerk webhook, hostile %s", (_, cases) => {
  it.each(cases.map((c) => [c.input, c] as const))(
    "answers %s clearly and changes nothing",
    async (_, hostile) => {
      const request = hostile.request();

      const response = await setup.webhook(request);

      expect(response.statusCode).toBe(hostile.status);
      expect(JSON.parse(response.body!)).toEqual(hostile.body);
      const line = answeredLine();
      const reason = hostile.body.error ?? hostile.body.reason;
      expect(line).toMatchObject({
        level: hostile.status >= 400 ? "WARN" : "INFO",
        status: hostile.status,
        reason,
      });
      const svixId = hostile.logsSvixId
        ? request.headers["svix-id"]
        : undefined;
      expect(line.svixId).toBe(svixId);
      await setup.expectNothingChanged();
    },
  );
});

describe("Clerk webhook, hostile keys beside a valid event", () => {
  const newcomer = "user_hostileKeysBesideValid1";

  afterAll(async () => {
    const { db, table } = setup.aws;
    await db.send(
      new DeleteCommand({ TableName: table, Key: { userId: newcomer } }),
    );
  });

  it("keeps only the schema's fields of a user.created that also carries record fields, __proto__, constructor and 30,000-deep metadata", async () => {
    const clean = withEvent((e) => (e.data.id = newcomer));
    const hostile = clean.replace(
      '"data":{',
      '"data":{"membership":"pro","status":"deleted",' +
        '"createdBy":"reconcile","stripeCustomerId":"cus_hostile",' +
        '"__proto__":{"membership":"pro"},' +
        '"constructor":{"prototype":{"membership":"pro"}},' +
        `"public_metadata":${nestedObjects(30_000)},`,
    );
    const request = signed(hostile);

    const response = await setup.webhook(request);
    const answered = answeredLine();
    const queued = await setup.takeQueued();
    const applied = await setup.provision({
      Records: [record(queued[0] ?? "", "hostile-beside")],
    });

    expect(response.statusCode).toBe(200);
    expect(answered).toMatchObject({
      reason: "enqueued",
      svixId: request.headers["svix-id"],
    });
    expect(queued).toHaveLength(1);
    const payload = JSON.parse(queued[0]!).payload;
    const expected = JSON.parse(clean);
    expect(payload).toEqual({
      type: expected.type,
      data: {
        id: newcomer,
        first_name: expected.data.first_name,
        last_name: expected.data.last_name,
        primary_email_address_id: expected.data.primary_email_address_id,
        email_addresses: expected.data.email_addresses.map(
          (a: { id: string; email_address: string }) => ({
            id: a.id,
            email_address: a.email_address,
          }),
        ),
        updated_at: expected.data.updated_at,
      },
    });
    expect(applied.batchItemFailures).toEqual([]);
    const items = await setup.aws.items();
    const stored = items.find((item) => item.userId === newcomer);
    expect(Object.keys(stored!).sort()).toEqual([
      "clerkUpdatedAt",
      "createdAt",
      "createdBy",
      "email",
      "firstName",
      "lastName",
      "membership",
      "status",
      "updatedAt",
      "userId",
    ]);
    expect(stored).toMatchObject({
      membership: "free",
      status: "active",
      createdBy: "webhook",
    });
    const others = items.filter((item) => item.userId !== newcomer);
    expect(others).toEqual(setup.snapshot);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});

