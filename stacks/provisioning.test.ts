import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Provisioning } from "./provisioning.js";
import { Storage } from "./storage.js";
import {
  environment,
  handlers,
  imported,
  logicalId,
  synth,
  type Handler,
  type Synth,
} from "./test-helpers.js";

let app: Synth;
let template: Template;
let storage: Template;
let consumer: Handler;
let queue: string;
let dlq: string;
let table: string;

beforeAll(async () => {
  app = await synth("test");
  const provisioning = app.exports(Provisioning);
  template = app.template(Provisioning);
  storage = app.template(Storage);
  consumer = handlers(app).consumer;
  queue = logicalId(provisioning.queue.cdk.queue);
  dlq = logicalId(provisioning.dlq.cdk.queue);
  table = logicalId(app.exports(Storage).table.cdk.table);
});

afterAll(() => app.dispose());

function properties(id: string): Record<string, unknown> {
  return template.toJSON().Resources[id]?.Properties ?? {};
}

describe("the provision queue and its DLQ", () => {
  it("keeps dead letters for 14 days", () => {
    expect(properties(dlq).MessageRetentionPeriod).toBe(1_209_600);
  });

  it("keeps provision messages for 4 days", () => {
    expect(properties(queue).MessageRetentionPeriod).toBe(345_600);
  });

  it("keeps the DLQ longer than the queue", () => {
    const kept = (id: string) => Number(properties(id).MessageRetentionPeriod);
    expect(kept(dlq)).toBeGreaterThan(kept(queue));
  });

  it("hides a message for at least six times the consumer's timeout", () => {
    const visibility = Number(properties(queue).VisibilityTimeout);
    const timeout = Number(properties(consumer.id).Timeout);
    expect(timeout).toBeGreaterThan(0);
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
  });

  it("moves a message to the DLQ after 5 receives", () => {
    expect(properties(queue).RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": [dlq, "Arn"] },
      maxReceiveCount: 5,
    });
  });

  it("gives the DLQ no redrive of its own", () => {
    expect(properties(dlq).RedrivePolicy).toBeUndefined();
  });
});

describe("the provision consumer", () => {
  it("reads the queue in batches of 10, reporting failed items", () => {
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::GetAtt": [queue, "Arn"] },
      FunctionName: { Ref: consumer.id },
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("is told the customers table's name and its Powertools settings", () => {
    const env = environment(consumer);
    expect(imported(storage, env.CUSTOMERS_TABLE)).toEqual({ Ref: table });
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: "provision",
      POWERTOOLS_LOG_LEVEL: "INFO",
    });
  });
});
