import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createVerifier,
  verifyDelivery,
  type Delivery,
} from "../src/clerk/index.js";
import { ConfigError } from "../src/errors/index.js";
import { fixtureJson, fixtureText } from "../../../test/support/fixtures.js";
import { svixHeaders } from "../../../test/support/webhook.js";

const vectors = fixtureJson("svix/signature-vectors.json");
const vector = vectors.published_vectors[0];
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const now = 1_760_000_000;
const created = fixtureText("clerk/user-created.docs.json");

function signed(
  body: string,
  options: { at?: number; id?: string } = {},
): Delivery {
  const at = new Date((options.at ?? now) * 1000);
  const id = options.id ?? "msg_test_1";
  return {
    headers: svixHeaders(secret, id, body, at),
    body: Buffer.from(body),
  };
}

function verify(delivery: Delivery) {
  return verifyDelivery(createVerifier(secret), delivery, Date.now());
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(now * 1000);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("verifyDelivery", () => {
  it("accepts the published Svix vector at its own time", () => {
    vi.setSystemTime(vector.timestamp * 1000);
    const verifier = createVerifier(vector.secret);
    const verdict = verifyDelivery(
      verifier,
      {
        headers: {
          "svix-id": vector.msg_id,
          "svix-timestamp": String(vector.timestamp),
          "svix-signature": vector.expected_signature,
        },
        body: Buffer.from(vector.payload),
      },
      Date.now(),
    );
    // The vector's payload is not a Clerk event, so it is verified and
    // then refused for having no type; the signature itself passed.
    expect(verdict).toMatchObject({ kind: "rejected", status: 400 });
    expect(verdict).toMatchObject({ reason: "missing-event-type" });
  });

  it("accepts a signed user.created over its exact bytes", () => {
    const verdict = verify(signed(created));
    expect(verdict).toMatchObject({ kind: "accepted", eventId: "msg_test_1" });
  });

  it("rejects a body that was parsed and re-serialised", () => {
    const delivery = signed(created);
    delivery.body = Buffer.from(JSON.stringify(JSON.parse(created)));
    expect(verify(delivery)).toMatchObject({
      status: 401,
      reason: "bad-signature",
    });
  });

  it("reads header names in any case", () => {
    const delivery = signed(created);
    delivery.headers = Object.fromEntries(
      Object.entries(delivery.headers).map(([k, v]) => [k.toUpperCase(), v]),
    );
    expect(verify(delivery).kind).toBe("accepted");
  });

  it("accepts a rotation header with the valid signature among others", () => {
    const delivery = signed(created);
    const valid = delivery.headers["svix-signature"];
    const junk = vectors.junk_signatures_used_in_lib_tests;
    delivery.headers["svix-signature"] = [junk[0], junk[1], valid, junk[0]]
      .map((s: string) => s.split(" ")[0])
      .join(" ");
    expect(verify(delivery).kind).toBe("accepted");
  });

  it("rejects a header whose only signature has an unknown version", () => {
    const delivery = signed(created);
    const value = delivery.headers["svix-signature"]!;
    delivery.headers["svix-signature"] = value.replace(/^v1,/, "v2,");
    expect(verify(delivery)).toMatchObject({
      status: 401,
      reason: "bad-signature",
    });
  });

  it.each([-300, 300])("accepts a delivery signed %i s away", (skew) => {
    expect(verify(signed(created, { at: now + skew })).kind).toBe(
      "accepted",
    );
  });

  it.each([-301, 301])("rejects a delivery signed %i s away", (skew) => {
    expect(verify(signed(created, { at: now + skew }))).toMatchObject({
      status: 401,
      reason: "timestamp-outside-window",
    });
  });

  it.each(["svix-id", "svix-timestamp", "svix-signature"])(
    "answers 400 when %s is missing",
    (header) => {
      const delivery = signed(created);
      delete delivery.headers[header];
      expect(verify(delivery)).toMatchObject({
        status: 400,
        reason: "missing-svix-headers",
      });
    },
  );

  it("answers 400 for a timestamp that is not a number", () => {
    const delivery = signed(created);
    delivery.headers["svix-timestamp"] = "hello";
    expect(verify(delivery)).toMatchObject({ status: 400 });
  });

  it("answers 400 for a signed body that is not JSON", () => {
    expect(verify(signed("not json {"))).toMatchObject({
      status: 400,
      reason: "body-not-json",
    });
  });

  it("answers 413 for a body over 256 KB before checking anything", () => {
    const delivery = signed(created);
    delivery.body = Buffer.alloc(256 * 1024 + 1, " ");
    expect(verify(delivery)).toMatchObject({ status: 413 });
  });

  it("ignores a verified event type the product does not handle", () => {
    const session = fixtureText("clerk/session-created.openapi.json");
    expect(verify(signed(session))).toEqual({
      kind: "ignored",
      eventId: "msg_test_1",
      type: "session.created",
    });
  });

  it("answers 400 for a supported type whose payload fails its schema", () => {
    const event = JSON.parse(created);
    event.data.id = "not-a-user";
    expect(verify(signed(JSON.stringify(event)))).toMatchObject({
      status: 400,
      reason: "invalid-payload",
    });
  });
});

describe("createVerifier", () => {
  it("names the variable when the secret is missing", () => {
    expect(() => createVerifier(undefined)).toThrow(ConfigError);
    expect(() => createVerifier("")).toThrow(/CLERK_WEBHOOK_SECRET is not set/);
  });

  it.each([
    "not-a-secret",
    "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "whsec_",
    "whsec_c2hvcnQ=",
    "whsec_!!!notbase64!!!",
  ])("rejects the malformed secret %s", (value) => {
    expect(() => createVerifier(value)).toThrow(
      /CLERK_WEBHOOK_SECRET is malformed/,
    );
  });
});
