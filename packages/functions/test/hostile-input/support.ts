import { createHmac, randomBytes } from "node:crypto";
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { beforeAll, beforeEach, expect } from "vitest";
import * as Customer from "@app/core/customer";
import { startPoller, toRecord } from "../../../local/src/poller.js";
import { createHandler } from "../../src/clerk-webhook.js";
import { webhookConfig } from "../../src/clerk-webhook-config.js";
import {
  eventually,
  useLocalAws,
  type TestAws,
} from "../../../../test/support/aws.js";
import { fixtureText } from "../../../../test/support/fixtures.js";
import { clearLogs, logLines } from "../../../../test/support/logs.js";
import { signedClerkRequest } from "../../../../test/support/webhook.js";

/**
 * What the hostile-input tests (docs/hostile-input.md) share: the real
 * webhook and consumer handlers on a table and queues of the file's own,
 * one stored record that a hostile input would change if it got through,
 * and the check that nothing did.
 */

export const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const otherSecret = `whsec_${randomBytes(32).toString("base64")}`;
export const created = fixtureText("clerk/user-created.docs.json");
export const event = JSON.parse(created);
export const storedUser: string = event.data.id;

type Provision = typeof import("../../src/provision.js").handler;

export type HostileSetup = {
  readonly aws: TestAws;
  readonly webhook: ReturnType<typeof createHandler>;
  readonly provision: Provision;
  readonly snapshot: Array<Record<string, unknown>>;
  /** The table is as it was and neither queue holds a message. */
  expectNothingChanged(): Promise<void>;
  /** Receives and deletes what is queued, so it cannot come back. */
  takeQueued(): Promise<string[]>;
};

export type HostileOptions = {
  /**
   * Runs once the table and queues exist, before the consumer is loaded
   * and before the snapshot: set its environment, store more records.
   */
  prepare?: () => Promise<void>;
};

export function useHostileSetup(options: HostileOptions = {}): HostileSetup {
  let aws: TestAws;
  let webhook: ReturnType<typeof createHandler>;
  let provision: Provision;
  let snapshot: Array<Record<string, unknown>>;

  beforeAll(async () => {
    aws = await useLocalAws({ visibilityTimeoutSeconds: 1 });
    await options.prepare?.();
    webhook = createHandler(() =>
      webhookConfig({
        CLERK_WEBHOOK_SECRET: secret,
        PROVISION_QUEUE_URL: aws.queues.queueUrl,
      }),
    );
    // Imported once the table is configured, as the Lambda runtime would.
    ({ handler: provision } = await import("../../src/provision.js"));
    await Customer.applyProfile(storedUser, {
      profile: { email: "stored@example.test", firstName: "Stored" },
      clerkUpdatedAt: 1,
    });
    snapshot = await aws.items();
  });

  beforeEach(() => clearLogs());

  return {
    get aws() {
      return aws;
    },
    get webhook() {
      return webhook;
    },
    get provision() {
      return provision;
    },
    get snapshot() {
      return snapshot;
    },
    async expectNothingChanged() {
      expect(await aws.items()).toEqual(snapshot);
      expect(await aws.drain(aws.queues.queueUrl)).toEqual([]);
      expect(await aws.drain(aws.queues.deadLetterUrl)).toEqual([]);
      expect(Object.keys(Object.prototype)).toEqual([]);
    },
    async takeQueued() {
      const result = await aws.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: aws.queues.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      for (const message of result.Messages ?? []) {
        await aws.sqs.send(
          new DeleteMessageCommand({
            QueueUrl: aws.queues.queueUrl,
            ReceiptHandle: message.ReceiptHandle!,
          }),
        );
      }
      return (result.Messages ?? []).map((message) => message.Body ?? "");
    },
  };
}

export function signed(
  body: string,
  options: Parameters<typeof signedClerkRequest>[2] = {},
) {
  return signedClerkRequest(body, secret, options);
}

/** Signs raw bytes as Svix does: HMAC-SHA256 over `id.timestamp.body`. */
export function signedBytes(bytes: Buffer): APIGatewayProxyEventV2 {
  const request = signed("");
  const id = request.headers["svix-id"]!;
  const timestamp = request.headers["svix-timestamp"]!;
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const mac = createHmac("sha256", key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), bytes]))
    .digest("base64");
  request.headers["svix-signature"] = `v1,${mac}`;
  request.body = bytes.toString("base64");
  request.isBase64Encoded = true;
  return request;
}

/** The fixture's user.created, changed by `change`, as JSON text. */
export function withEvent(change: (copy: any) => void): string {
  const copy = structuredClone(event);
  change(copy);
  return JSON.stringify(copy);
}

/** `[[[…]]]`, built as text: JSON.stringify recurses and would overflow. */
export function nestedArrays(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

export function nestedObjects(depth: number): string {
  return '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

/** The one log line this case wrote: the webhook's answer. */
export function answeredLine() {
  const lines = logLines();
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ message: "webhook answered" });
  return lines[0]!;
}

/** An SQS record as Lambda delivers it, on its first receive. */
export function record(body: string, id: string) {
  return toRecord(
    {
      MessageId: id,
      ReceiptHandle: id,
      Body: body,
      Attributes: { ApproximateReceiveCount: "1" },
    },
    "arn:aws:sqs:us-east-1:000000000000:hostile",
  );
}

/**
 * Sends each body to the provision queue, lets the consumer receive them
 * until they reach the DLQ, and returns the bodies found there.
 */
export async function parkInDeadLetters(
  setup: HostileSetup,
  bodies: string[],
): Promise<string[]> {
  const { aws } = setup;
  for (const body of bodies) {
    await aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: aws.queues.queueUrl,
        MessageBody: body,
      }),
    );
  }
  const poller = startPoller({
    client: aws.sqs,
    queueUrl: aws.queues.queueUrl,
    handler: (batch) => setup.provision(batch),
    visibilityTimeoutSeconds: 1,
    waitTimeSeconds: 0,
  });
  const parked: string[] = [];
  try {
    await eventually(async () => {
      const batch = await aws.drain(aws.queues.deadLetterUrl);
      parked.push(...batch.map((message) => message.body));
      return parked.length >= bodies.length ? true : undefined;
    }, 45_000);
  } finally {
    await poller.stop();
  }
  return parked;
}
