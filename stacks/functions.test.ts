import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  handlers,
  logicalId,
  synth,
  type Handler,
  type Synth,
} from "./test-helpers.js";

// Until SST's deploy build runs, every function carries a placeholder
// runtime and handler, so this file builds the handlers as a deploy does.
let app: Synth;
let consumer: Handler;
let webhook: Handler;

beforeAll(async () => {
  app = await synth("test", true);
  ({ consumer, webhook } = handlers(app));
});

afterAll(() => app.dispose());

function properties(fn: Handler): Record<string, unknown> {
  return fn.template.toJSON().Resources[fn.id]?.Properties ?? {};
}

describe("the app's functions as built for deploy", () => {
  it("all run on nodejs22.x on arm64", () => {
    const checked: string[] = [];
    for (const stack of app.stacks) {
      // SST's own custom resource handler pins its runtime itself.
      const internal = logicalId(stack.customResourceHandler);
      const functions = Template.fromStack(stack).findResources(
        "AWS::Lambda::Function",
      );
      for (const [id, fn] of Object.entries(functions)) {
        if (id === internal) continue;
        expect(fn.Properties?.Runtime, id).toBe("nodejs22.x");
        expect(fn.Properties?.Architectures, id).toEqual(["arm64"]);
        checked.push(id);
      }
    }
    expect(checked).toEqual(expect.arrayContaining([consumer.id, webhook.id]));
  });

  it("run the provision and clerk-webhook handlers", () => {
    expect(properties(consumer).Handler).toBe(
      "packages/functions/src/provision.handler",
    );
    expect(properties(webhook).Handler).toBe(
      "packages/functions/src/clerk-webhook.handler",
    );
  });
});
