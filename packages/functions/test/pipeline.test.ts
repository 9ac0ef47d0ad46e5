import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Customer from "@app/core/customer";
import { inject } from "vitest";
import { startPoller, type Poller } from "../../local/src/poller.js";
import { ensureTable } from "../../local/src/resources.js";
import {
  eventually,
  useLocalAws,
  type TestAws,
} from "../../../test/support/aws.js";
import { fixtureText } from "../../../test/support/fixtures.js";
import { signedClerkRequest } from "../../../test/support/webhook.js";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const docsUser = "user_29w83sxmDNGwOuEthce5gg56FcC";
const openapiUser = "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S";
const deliveries = [
  "clerk/user-created.docs.json",
  "clerk/user-created.openapi.json",
  "clerk/user-updated.catalog.json",
  "clerk/user-deleted.openapi.json",
];

let aws: TestAws;
let poller: Poller;
let webhook: typeof import("../src/clerk-webhook.js").handler;

beforeAll(async () => {
  aws = await useLocalAws({ visibilityTimeoutSeconds: 1 });
  process.env.CLERK_WEBHOOK_SECRET = secret;
  // The modules the Lambda runtime would load, configured by environment.
  ({ handler: webhook } = await import("../src/clerk-webhook.js"));
  const { handler: provision } = await import("../src/provision.js");
  poller = startPoller({
    client: aws.sqs,
    queueUrl: aws.queues.queueUrl,
    handler: (event) => provision(event),
    waitTimeSeconds: 0,
  });
});

afterAll(async () => {
  await poller.stop();
});

async function deliver(file: string) {
  const response = await webhook(signedClerkRequest(fixtureText(file), secret));
  expect(response.statusCode).toBe(200);
}

/** The poller deletes a message only after its write, so empty is done. */
async function settled() {
  await eventually(async () =>
    (await aws.queueDepth(aws.queues.queueUrl)) === 0 ? true : undefined,
  );
}

async function expectFixtureOutcome() {
  const docs = await Customer.get(docsUser);
  expect(docs).toMatchObject({
    email: "fixture.user@example.test",
    firstName: "Fixture",
    status: "active",
    membership: "free",
    clerkUpdatedAt: 1654012824306,
  });
  expect(docs.lastName).toBeUndefined();
  const openapi = await Customer.get(openapiUser);
  expect(openapi.status).toBe("deleted");
  expect(openapi.email).toBeUndefined();
  expect(openapi.firstName).toBeUndefined();
}

describe("Clerk webhook to DynamoDB", () => {
  it("stores every fixture as described, delivered in order", async () => {
    await deliver(deliveries[0]!);
    const first = await eventually(() => Customer.find(docsUser));
    expect(first).toMatchObject({
      userId: docsUser,
      email: "fixture.user@example.test",
      firstName: "Fixture",
      lastName: "Person",
      createdBy: "webhook",
    });
    for (const file of deliveries.slice(1)) await deliver(file);
    await settled();
    await expectFixtureOutcome();
  });

  it("reaches the same state when the same deliveries arrive reversed and twice", async () => {
    const table = `customers-reversed-${Date.now()}`;
    await ensureTable(inject("dynamoEndpoint"), table);
    process.env.CUSTOMERS_TABLE = table;
    for (const file of [...deliveries].reverse()) await deliver(file);
    for (const file of deliveries) await deliver(file);
    await settled();
    await expectFixtureOutcome();
  });
});
