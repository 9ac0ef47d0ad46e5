import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  actionsOf,
  managedPolicies,
  roleStatements,
  type Statement,
} from "./iam-helpers.js";
import { Provisioning } from "./provisioning.js";
import { Storage } from "./storage.js";
import {
  handlers,
  imported,
  logicalId,
  synth,
  type Handler,
  type Synth,
} from "./test-helpers.js";

const tableActions = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
];
// What CDK's SQS event source grants so Lambda can poll the queue.
const pollActions = [
  "sqs:ChangeMessageVisibility",
  "sqs:DeleteMessage",
  "sqs:GetQueueAttributes",
  "sqs:GetQueueUrl",
  "sqs:ReceiveMessage",
];
const basicExecution =
  "arn:${AWS::Partition}:iam::aws:policy/service-role/" +
  "AWSLambdaBasicExecutionRole";

let app: Synth;
let storage: Template;
let provisioning: Template;
let consumer: Handler;
let webhook: Handler;
let queueArn: unknown;
let tableArn: unknown;

beforeAll(async () => {
  app = await synth("test");
  storage = app.template(Storage);
  provisioning = app.template(Provisioning);
  ({ consumer, webhook } = handlers(app));
  const queue = logicalId(app.exports(Provisioning).queue.cdk.queue);
  const table = logicalId(app.exports(Storage).table.cdk.table);
  queueArn = { "Fn::GetAtt": [queue, "Arn"] };
  tableArn = { "Fn::GetAtt": [table, "Arn"] };
});

afterAll(() => app.dispose());

function statements(fn: Handler, service: string): Statement[] {
  return roleStatements(fn.template, fn.id).filter((s) =>
    s.actions.some((a) => a.startsWith(`${service}:`)),
  );
}

function allActions(fn: Handler): string[] {
  return actionsOf(roleStatements(fn.template, fn.id));
}

describe("the provision consumer's role", () => {
  it("allows only GetItem, PutItem and UpdateItem on the table", () => {
    const dynamo = statements(consumer, "dynamodb");
    expect(actionsOf(dynamo)).toEqual(tableActions);
    const resources = dynamo.flatMap((s) => s.resources);
    expect(resources.map((r) => imported(storage, r))).toEqual([tableArn]);
  });

  it("allows only polling, and only on the provision queue", () => {
    const sqs = statements(consumer, "sqs");
    expect(actionsOf(sqs)).toEqual(pollActions);
    expect(sqs.flatMap((s) => s.resources)).toEqual([queueArn]);
  });

  it("cannot send messages", () => {
    expect(allActions(consumer)).not.toContain("sqs:SendMessage");
  });

  it("grants nothing beyond the table, the queue, Stripe's key and basic logging", () => {
    const all = roleStatements(consumer.template, consumer.id);
    expect(all.every((s) => s.effect === "Allow")).toBe(true);
    expect(allActions(consumer)).toEqual([
      ...tableActions,
      ...pollActions,
      // Reading the bound STRIPE_SECRET_KEY (stacks/stripe.test.ts).
      "ssm:GetParameters",
    ]);
    expect(managedPolicies(consumer.template, consumer.id)).toEqual([
      basicExecution,
    ]);
  });
});

describe("the Clerk webhook's role", () => {
  it("allows sqs:SendMessage on the provision queue", () => {
    const sqs = statements(webhook, "sqs");
    expect(actionsOf(sqs)).toEqual(["sqs:SendMessage"]);
    const resources = sqs.flatMap((s) => s.resources);
    expect(resources.map((r) => imported(provisioning, r))).toEqual([
      queueArn,
    ]);
  });

  it("allows no other SQS action and no DynamoDB action", () => {
    const actions = allActions(webhook);
    expect(actions.filter((a) => a.startsWith("sqs:"))).toEqual([
      "sqs:SendMessage",
    ]);
    expect(actions.filter((a) => a.startsWith("dynamodb:"))).toEqual([]);
  });

  it("grants nothing beyond sending, its secret and basic logging", () => {
    expect(allActions(webhook)).toEqual([
      "sqs:SendMessage",
      "ssm:GetParameters",
    ]);
    expect(managedPolicies(webhook.template, webhook.id)).toEqual([
      basicExecution,
    ]);
  });
});
