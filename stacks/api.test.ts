import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api } from "./api.js";
import { Provisioning } from "./provisioning.js";
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
let provisioning: Template;
let webhook: Handler;
let stripeWebhook: Handler;
let queue: string;

beforeAll(async () => {
  app = await synth("test");
  template = app.template(Api);
  provisioning = app.template(Provisioning);
  ({ webhook, stripeWebhook } = handlers(app));
  queue = logicalId(app.exports(Provisioning).queue.cdk.queue);
});

afterAll(() => app.dispose());

function only(type: string): { id: string; props: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type));
  expect(found).toHaveLength(1);
  const [id, resource] = found[0] ?? [];
  return { id: String(id), props: resource?.Properties ?? {} };
}

describe("the HTTP API", () => {
  it("has two routes, each to its own webhook function", () => {
    const routes = template.findResources("AWS::ApiGatewayV2::Route");
    const integrations = template.findResources(
      "AWS::ApiGatewayV2::Integration",
    );
    const targets = Object.values(routes).map((route) => {
      const target = route.Properties.Target["Fn::Join"][1][1].Ref;
      const uri = integrations[target]?.Properties.IntegrationUri;
      return [route.Properties.RouteKey, uri["Fn::GetAtt"][0]];
    });
    expect(targets.sort()).toEqual([
      ["POST /webhooks/clerk", webhook.id],
      ["POST /webhooks/stripe", stripeWebhook.id],
    ]);
  });

  it("throttles every route of its default stage", () => {
    const stage = only("AWS::ApiGatewayV2::Stage");
    expect(stage.props.StageName).toBe("$default");
    expect(stage.props.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
    });
  });

  it("allows no cross-origin browser calls", () => {
    expect(only("AWS::ApiGatewayV2::Api").props.CorsConfiguration)
      .toBeUndefined();
  });

  it("outputs the API URL and both webhook URLs", () => {
    const endpoint = {
      "Fn::GetAtt": [only("AWS::ApiGatewayV2::Api").id, "ApiEndpoint"],
    };
    template.hasOutput("ApiUrl", { Value: endpoint });
    template.hasOutput("ClerkWebhookUrl", {
      Value: { "Fn::Join": ["", [endpoint, "/webhooks/clerk"]] },
    });
    template.hasOutput("StripeWebhookUrl", {
      Value: { "Fn::Join": ["", [endpoint, "/webhooks/stripe"]] },
    });
  });
});

describe("the Clerk webhook function", () => {
  it("is told the provision queue's URL and its Powertools name", () => {
    const env = environment(webhook);
    expect(imported(provisioning, env.PROVISION_QUEUE_URL)).toEqual({
      Ref: queue,
    });
    expect(env.POWERTOOLS_SERVICE_NAME).toBe("clerk-webhook");
  });
});
