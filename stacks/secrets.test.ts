import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roleStatements, text } from "./iam-helpers.js";
import { Secrets } from "./secrets.js";
import {
  environment,
  handlers,
  readableParameters,
  secretPaths,
  synth,
  type Handler,
  type Synth,
} from "./test-helpers.js";

const variable = "SST_Secret_value_CLERK_WEBHOOK_SECRET";
let app: Synth;
let name: string;
let consumer: Handler;
let webhook: Handler;

beforeAll(async () => {
  app = await synth("test");
  name = app.exports(Secrets).CLERK_WEBHOOK_SECRET.name;
  ({ consumer, webhook } = handlers(app));
});

afterAll(() => app.dispose());

function ssmResources(fn: Handler): string[] {
  return roleStatements(fn.template, fn.id)
    .filter((s) => s.actions.some((a) => a.startsWith("ssm:")))
    .flatMap((s) => s.resources.map(text));
}

describe("the Clerk webhook secret", () => {
  it("is the SST secret CLERK_WEBHOOK_SECRET", () => {
    expect(name).toBe("CLERK_WEBHOOK_SECRET");
  });

  it("is bound to the webhook function", () => {
    expect(environment(webhook)).toHaveProperty([variable]);
  });

  it("lets the webhook read that secret's parameters and no other", () => {
    const value = "Secret/CLERK_WEBHOOK_SECRET/value";
    const parameters = ssmResources(webhook).map((arn) => {
      expect(arn).toMatch(/^arn:\$\{AWS::Partition\}:ssm:[^:]+:[^:]+:/);
      return arn.replace(/^.*:parameter/, "");
    });
    expect(parameters.sort()).toEqual([
      `/sst/signup-provisioning/.fallback/${value}`,
      `/sst/signup-provisioning/test/${value}`,
    ]);
  });

  it("is not bound to the provision consumer", () => {
    expect(environment(consumer)).not.toHaveProperty([variable]);
    // The consumer reads Stripe's API key, nothing of Clerk's.
    expect(readableParameters(consumer)).toEqual(
      secretPaths("STRIPE_SECRET_KEY"),
    );
  });
});

describe("the site's Clerk keys", () => {
  it("are the SST secrets CLERK_SECRET_KEY and CLERK_PUBLISHABLE_KEY", () => {
    const secrets = app.exports(Secrets);
    expect(secrets.CLERK_SECRET_KEY.name).toBe("CLERK_SECRET_KEY");
    expect(secrets.CLERK_PUBLISHABLE_KEY.name).toBe("CLERK_PUBLISHABLE_KEY");
  });
});
