import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deployOutput,
  webDir,
} from "../packages/web/scripts/open-next-builds.js";
import { roleStatements, text, type Statement } from "./iam-helpers.js";
import { Reconcile } from "./reconcile.js";
import { Storage } from "./storage.js";
import {
  environment,
  handlers,
  imported,
  logicalId,
  readableParameters,
  secretPaths,
  synth,
  type Handler,
  type Synth,
} from "./test-helpers.js";
import { Web } from "./web.js";

const tableActions = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
];
const clerkKeys = ["CLERK_SECRET_KEY", "CLERK_PUBLISHABLE_KEY"];
const secretVariables = clerkKeys.map((key) => `SST_Secret_value_${key}`);

let app: Synth;
let web: Template;
let storage: Template;
let server: Handler;
let serverStack: Stack;
let tableArn: unknown;
let revalidationTable: string | undefined;

beforeAll(async () => {
  app = await synth("test");
  web = app.template(Web);
  storage = app.template(Storage);
  const { site } = app.exports(Web);
  const fn = site.cdk?.function;
  if (!fn) throw new Error("the site has no server function");
  server = { template: web, id: logicalId(fn) };
  serverStack = Stack.of(fn);
  const table = logicalId(app.exports(Storage).table.cdk.table);
  tableArn = { "Fn::GetAtt": [table, "Arn"] };
  const revalidation = site.node.tryFindChild("RevalidationTable");
  revalidationTable = revalidation && logicalId(revalidation);
});

afterAll(() => app.dispose());

function properties(fn: Handler): Record<string, unknown> {
  return fn.template.toJSON().Resources[fn.id]?.Properties ?? {};
}

function statements(fn: Handler, service: string): Statement[] {
  return roleStatements(fn.template, fn.id).filter((s) =>
    s.actions.some((a) => a.startsWith(`${service}:`)),
  );
}

function isTableArn(resource: unknown): boolean {
  if (!JSON.stringify(resource).includes("Fn::ImportValue")) return false;
  return isDeepStrictEqual(imported(storage, resource), tableArn);
}

/** Every Lambda function of the app but the site's server. */
function otherFunctions(): Handler[] {
  return app.stacks.flatMap((stack) => {
    const template = Template.fromStack(stack);
    const found = template.findResources("AWS::Lambda::Function");
    return Object.keys(found)
      .filter((id) => stack !== serverStack || id !== server.id)
      .map((id) => ({ template, id }));
  });
}

describe("the site's server function", () => {
  it("runs on nodejs22.x on arm64", () => {
    expect(properties(server).Runtime).toBe("nodejs22.x");
    expect(properties(server).Architectures).toEqual(["arm64"]);
  });

  it("is told the customers table's name and Clerk's page paths", () => {
    const env = environment(server);
    expect(imported(storage, env.CUSTOMERS_TABLE)).toEqual({
      Ref: logicalId(app.exports(Storage).table.cdk.table),
    });
    expect(env).toMatchObject({
      NEXT_PUBLIC_CLERK_SIGN_IN_URL: "/login",
      NEXT_PUBLIC_CLERK_SIGN_UP_URL: "/signup",
    });
  });

  it("may only get, put and update items in the customers table", () => {
    const onTable = statements(server, "dynamodb").filter((s) =>
      s.resources.some(isTableArn),
    );
    expect(onTable.length).toBeGreaterThan(0);
    for (const statement of onTable) {
      expect(statement.effect).toBe("Allow");
      expect([...statement.actions].sort()).toEqual(tableActions);
      expect(statement.resources.every(isTableArn)).toBe(true);
    }
  });

  it("reaches no other table but the revalidation table SST adds", () => {
    // SST 2.49 adds it, with read and write for the server, even with
    // OpenNext's tag cache off (packages/web/open-next.config.ts).
    const others = statements(server, "dynamodb")
      .flatMap((s) => s.resources)
      .filter((r) => !isTableArn(r));
    for (const resource of others) {
      expect(JSON.stringify(resource)).toContain(String(revalidationTable));
    }
  });

  it("gets the Clerk keys as SST secrets, fetched at deploy", () => {
    const env = environment(server);
    for (const variable of secretVariables) {
      expect(env).toHaveProperty([variable]);
    }
    web.hasResourceProperties("Custom::SecretPrefetcher", {
      functionName: { Ref: server.id },
    });
  });

  it("is not given the webhook's signing secret", () => {
    expect(environment(server)).not.toHaveProperty([
      "SST_Secret_value_CLERK_WEBHOOK_SECRET",
    ]);
  });

  it("may read the Clerk keys' and Stripe's API key's parameters, no other", () => {
    expect(readableParameters(server)).toEqual(
      secretPaths(...clerkKeys, "STRIPE_SECRET_KEY"),
    );
  });
});

describe("the Clerk keys", () => {
  it("reach no function but the site's server and the reconcile job", () => {
    const reconcileJob = logicalId(app.exports(Reconcile).cron.jobFunction);
    const others = otherFunctions().filter((fn) => fn.id !== reconcileJob);
    expect(others.length).toBeGreaterThan(0);
    for (const fn of others) {
      const env = environment(fn);
      for (const variable of secretVariables) {
        expect(env, fn.id).not.toHaveProperty([variable]);
      }
    }
  });

  it("give the reconcile job the secret key only", () => {
    const reconcileJob = logicalId(app.exports(Reconcile).cron.jobFunction);
    const [job] = otherFunctions().filter((fn) => fn.id === reconcileJob);
    const env = environment(job!);
    expect(env).toHaveProperty(["SST_Secret_value_CLERK_SECRET_KEY"]);
    expect(env).not.toHaveProperty([
      "SST_Secret_value_CLERK_PUBLISHABLE_KEY",
    ]);
  });

  it("cannot be read by the webhook or the provision consumer", () => {
    for (const fn of Object.values(handlers(app))) {
      const readable = statements(fn, "ssm")
        .flatMap((s) => s.resources.map(text))
        .filter((arn) => clerkKeys.some((key) => arn.includes(`/${key}/`)));
      expect(readable, fn.id).toEqual([]);
    }
  });
});

describe("the Web stack", () => {
  it("outputs the site's CloudFront URL", () => {
    const [distribution] = Object.keys(
      web.findResources("AWS::CloudFront::Distribution"),
    );
    const domain = { "Fn::GetAtt": [distribution, "DomainName"] };
    web.hasOutput("SiteUrl", {
      Value: { "Fn::Join": ["", ["https://", domain]] },
    });
  });
});

describe("the site's deploy build", () => {
  it("is made by the OpenNext installed here, so npx fetches none", () => {
    const require = createRequire(join(webDir, "package.json"));
    const cli = require.resolve("@opennextjs/aws/index.js");
    const manifest = join(dirname(cli), "..", "package.json");
    const { version } = JSON.parse(readFileSync(manifest, "utf8"));
    expect(app.exports(Web).site.props.buildCommand).toBe(
      `npx --yes @opennextjs/aws@${version} build`,
    );
  });

  it("keeps OpenNext's Lambda wrapper for the server", () => {
    const output = JSON.parse(
      readFileSync(join(deployOutput, "open-next.output.json"), "utf8"),
    );
    expect(output.origins.default).toMatchObject({
      wrapper: "aws-lambda",
      converter: "aws-apigw-v2",
    });
  });
});
