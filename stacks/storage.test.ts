import { Match, type Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Storage } from "./storage.js";
import { synth, type Synth } from "./test-helpers.js";

const table = "AWS::DynamoDB::Table";
let testApp: Synth;
let prodApp: Synth;
let test: Template;
let prod: Template;

beforeAll(async () => {
  testApp = await synth("test");
  prodApp = await synth("prod");
  test = testApp.template(Storage);
  prod = prodApp.template(Storage);
});

afterAll(() => {
  testApp.dispose();
  prodApp.dispose();
});

describe("the customers table", () => {
  it("is the stack's one table, named <stage>-<app>-customers", () => {
    test.resourceCountIs(table, 1);
    test.hasResourceProperties(table, {
      TableName: "test-signup-provisioning-customers",
    });
  });

  it("is keyed by the userId string alone", () => {
    test.hasResourceProperties(table, {
      KeySchema: [{ AttributeName: "userId", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "userId", AttributeType: "S" }],
    });
  });

  it("bills on demand", () => {
    test.hasResourceProperties(table, {
      BillingMode: "PAY_PER_REQUEST",
      ProvisionedThroughput: Match.absent(),
    });
  });

  it("keeps point-in-time recovery on", () => {
    for (const stage of [test, prod]) {
      stage.hasResourceProperties(table, {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });
});

describe("the customers table outside prod", () => {
  it("is deleted with the stack", () => {
    test.hasResource(table, {
      DeletionPolicy: "Delete",
      UpdateReplacePolicy: "Delete",
    });
  });

  it("has no deletion protection", () => {
    const [resource] = Object.values(test.findResources(table));
    const enabled = resource?.Properties?.DeletionProtectionEnabled;
    expect(enabled ?? false).toBe(false);
  });
});

describe("the customers table on prod", () => {
  it("is retained when the stack is deleted or replaces it", () => {
    prod.hasResource(table, {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  it("has deletion protection", () => {
    prod.hasResourceProperties(table, {
      TableName: "prod-signup-provisioning-customers",
      DeletionProtectionEnabled: true,
    });
  });
});
