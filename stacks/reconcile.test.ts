import { Match, Template } from "aws-cdk-lib/assertions";
import { getStack, use } from "sst/constructs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  actionsOf,
  managedPolicies,
  roleStatements,
  text,
  type Statement,
} from "./iam-helpers.js";
import { Reconcile, reconcileSchedule } from "./reconcile.js";
import { Storage } from "./storage.js";
import {
  environment,
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
const basicExecution =
  "arn:${AWS::Partition}:iam::aws:policy/service-role/" +
  "AWSLambdaBasicExecutionRole";

let app: Synth;
let template: Template;
let storage: Template;
let job: Handler;
let table: string;

beforeAll(async () => {
  // Bundled as a deploy does: the handler and runtime are placeholders
  // until then, and the bundle proves the handler builds.
  app = await synth("test", true);
  template = Template.fromStack(getStack(Reconcile));
  storage = app.template(Storage);
  table = logicalId(app.exports(Storage).table.cdk.table);
  job = { template, id: logicalId(use(Reconcile).cron.jobFunction) };
});

afterAll(() => app.dispose());

function statements(service: string): Statement[] {
  return roleStatements(job.template, job.id).filter((s) =>
    s.actions.some((a) => a.startsWith(`${service}:`)),
  );
}

describe("the reconcile job", () => {
  it("runs the reconcile handler daily at 04:00 UTC", () => {
    template.resourceCountIs("AWS::Events::Rule", 1);
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "cron(0 4 * * ? *)",
      State: "ENABLED",
      Targets: [
        Match.objectLike({ Arn: { "Fn::GetAtt": [job.id, "Arn"] } }),
      ],
    });
    expect(reconcileSchedule).toBe("cron(0 4 * * ? *)");
    const fn = template.toJSON().Resources[job.id]?.Properties ?? {};
    expect(fn.Handler).toBe("packages/functions/src/reconcile.handler");
  });

  it("runs on nodejs22.x on arm64 for up to 15 minutes", () => {
    const fn = template.toJSON().Resources[job.id]?.Properties ?? {};
    expect(fn.Runtime).toBe("nodejs22.x");
    expect(fn.Architectures).toEqual(["arm64"]);
    expect(fn.Timeout).toBe(900);
  });

  it("is told the customers table's name and its Powertools settings", () => {
    const env = environment(job);
    expect(imported(storage, env.CUSTOMERS_TABLE)).toEqual({ Ref: table });
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: "reconcile",
      POWERTOOLS_LOG_LEVEL: "INFO",
    });
  });

  it("gets CLERK_SECRET_KEY bound and not the webhook's secret", () => {
    const env = environment(job);
    expect(env).toHaveProperty(["SST_Secret_value_CLERK_SECRET_KEY"]);
    expect(env).not.toHaveProperty(["SST_Secret_value_CLERK_WEBHOOK_SECRET"]);
    expect(env).not.toHaveProperty([
      "SST_Secret_value_CLERK_PUBLISHABLE_KEY",
    ]);
  });
});

describe("the reconcile job's role", () => {
  it("allows only GetItem, PutItem and UpdateItem on the table", () => {
    const dynamo = statements("dynamodb");
    expect(actionsOf(dynamo)).toEqual(tableActions);
    const resources = dynamo.flatMap((s) => s.resources);
    expect(resources.map((r) => imported(storage, r))).toEqual([
      { "Fn::GetAtt": [table, "Arn"] },
    ]);
  });

  it("may read CLERK_SECRET_KEY's parameters and no other", () => {
    const value = "Secret/CLERK_SECRET_KEY/value";
    const parameters = statements("ssm")
      .flatMap((s) => s.resources.map(text))
      .map((arn) => arn.replace(/^.*:parameter/, ""));
    expect(parameters.sort()).toEqual([
      `/sst/signup-provisioning/.fallback/${value}`,
      `/sst/signup-provisioning/test/${value}`,
    ]);
  });

  it("grants nothing beyond the table, its secret and basic logging", () => {
    const all = roleStatements(job.template, job.id);
    expect(all.every((s) => s.effect === "Allow")).toBe(true);
    expect(actionsOf(all)).toEqual([...tableActions, "ssm:GetParameters"]);
    expect(managedPolicies(job.template, job.id)).toEqual([basicExecution]);
  });
});
