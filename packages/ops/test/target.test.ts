import { afterAll, beforeAll, describe, expect, it } from "vitest";
import config from "../../../sst.config.js";
import { Provisioning } from "../../../stacks/provisioning.js";
import { Storage } from "../../../stacks/storage.js";
import { synth, type Synth } from "../../../stacks/test-helpers.js";
import { appName, defaultRegion, stageNames } from "../src/target.js";

let app: Synth;

beforeAll(async () => {
  app = await synth("staging");
});

afterAll(() => app.dispose());

function namesIn(stack: Parameters<Synth["template"]>[0], type: string) {
  const key = type === "AWS::SQS::Queue" ? "QueueName" : "TableName";
  return Object.values(app.template(stack).findResources(type)).map(
    (resource) => resource.Properties?.[key],
  );
}

describe("a deployed stage's resource names", () => {
  it("are the app's and region's as sst.config.ts sets them", () => {
    expect(config.config()).toEqual({
      name: appName,
      region: defaultRegion,
    });
  });

  it("match the table and queues the stacks create", () => {
    const names = stageNames("staging");
    expect(namesIn(Storage, "AWS::DynamoDB::Table")).toEqual([names.table]);
    expect(namesIn(Provisioning, "AWS::SQS::Queue").sort()).toEqual(
      [names.queue, names.dlq].sort(),
    );
    expect(names).toEqual({
      table: "staging-signup-provisioning-customers",
      queue: "staging-signup-provisioning-provision",
      dlq: "staging-signup-provisioning-provision-dlq",
    });
  });
});
