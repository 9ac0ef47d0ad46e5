import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CfnElement, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { IConstruct } from "constructs";
import { App, getStack, Stack as SstStack, use } from "sst/constructs";
import type { FunctionalStack } from "sst/constructs/FunctionalStack.js";
import { initProject, useProject } from "sst/project.js";
import config from "../sst.config.js";
import { Api, clerkWebhookPath, stripeWebhookPath } from "./api.js";
import { roleStatements, text } from "./iam-helpers.js";
import { Monitoring } from "./monitoring.js";
import { Provisioning } from "./provisioning.js";
import { Reconcile } from "./reconcile.js";
import { Secrets } from "./secrets.js";
import { Storage } from "./storage.js";
import { Web } from "./web.js";

type AnyStack = FunctionalStack<unknown>;

export const testPriceId = "price_1TestProMonthly";
const named: AnyStack[] = [
  Secrets,
  Storage,
  Provisioning,
  Api,
  Web,
  Monitoring,
  Reconcile,
];

export interface Synth {
  /** Every stack in the app, including any not named above. */
  stacks: SstStack[];
  template(stack: AnyStack): Template;
  exports<T>(stack: FunctionalStack<T>): T;
  /** Removes the temporary folder SST wrote types and bundles to. */
  dispose(): void;
}

/** Builds the app as sst.config.ts does; `bundle` runs the deploy build. */
export async function synth(stage: string, bundle = false): Promise<Synth> {
  // Required at synth (stacks/stripe-price.ts); a deploy sets its own.
  process.env.STRIPE_PRICE_ID ??= testPriceId;
  await initProject({ stage });
  const project = useProject();
  // App deletes and rewrites <out>/types on construction, so test files
  // running in parallel forks would race on the repo's shared .sst folder.
  const out = mkdtempSync(join(tmpdir(), "sst-stacks-"));
  project.paths.out = out;
  project.paths.artifacts = join(out, "artifacts");
  const { name, region } = project.config;
  // Without an outdir, CDK writes each synth's assets (tens of MB with
  // the site's bundles) to a new folder in the OS temp folder and keeps
  // it; inside `out`, dispose() removes them.
  const app = new App(
    { mode: "deploy", stage, name, region },
    { outdir: join(out, "cdk.out") },
  );
  await config.stacks(app);
  if (bundle) await app.finish();
  // getStack and use read the latest app, so capture both before the next.
  const templates = new Map<AnyStack, Template>();
  const outputs = new Map<AnyStack, unknown>();
  for (const stack of named) {
    templates.set(stack, Template.fromStack(getStack(stack)));
    outputs.set(stack, use(stack));
  }
  return {
    stacks: app.node.children.filter((c) => c instanceof SstStack),
    template: (stack) => found(templates.get(stack), `stack ${stack.name}`),
    exports: <T>(stack: FunctionalStack<T>) =>
      found(outputs.get(stack), `stack ${stack.name}`) as T,
    dispose: () => rmSync(out, { recursive: true, force: true }),
  };
}

function found<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`${name} is not in the app`);
  return value;
}

export interface Handler {
  template: Template;
  id: string;
}

/** The provision consumer and the Clerk webhook, found via their stacks. */
export function handlers(
  app: Synth,
): Record<"consumer" | "webhook" | "stripeWebhook", Handler> {
  const { consumerFunction } = app.exports(Provisioning).queue;
  const route = (path: string): Handler => {
    const key = `POST ${path}`;
    return {
      template: app.template(Api),
      id: logicalId(found(app.exports(Api).api.getFunction(key), key)),
    };
  };
  return {
    consumer: {
      template: app.template(Provisioning),
      id: logicalId(found(consumerFunction, "the queue consumer")),
    },
    webhook: route(clerkWebhookPath),
    stripeWebhook: route(stripeWebhookPath),
  };
}

/** The SSM parameter paths a function's role may read, without the ARN. */
export function readableParameters(fn: Handler): string[] {
  return roleStatements(fn.template, fn.id)
    .filter((s) => s.actions.some((a) => a.startsWith("ssm:")))
    .flatMap((s) => s.resources.map(text))
    .map((arn) => arn.replace(/^.*:parameter/, ""))
    .sort();
}

/** Where SST keeps a secret for the test stage, and its fallback. */
export function secretPaths(...names: string[]): string[] {
  return names
    .flatMap((name) => [
      `/sst/signup-provisioning/.fallback/Secret/${name}/value`,
      `/sst/signup-provisioning/test/Secret/${name}/value`,
    ])
    .sort();
}

export function logicalId(construct: IConstruct): string {
  const cfn = construct.node.defaultChild;
  if (!(cfn instanceof CfnElement)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  }
  return Stack.of(cfn).getLogicalId(cfn);
}

/** What an Fn::ImportValue refers to, looked up in the exporting stack. */
export function imported(exporter: Template, value: unknown): unknown {
  const name = (value as { "Fn::ImportValue"?: unknown })["Fn::ImportValue"];
  if (typeof name !== "string") throw new Error("not an Fn::ImportValue");
  const outputs = Object.values(exporter.toJSON().Outputs ?? {}) as Output[];
  const output = outputs.find((o) => o.Export?.Name === name);
  if (!output) throw new Error(`no export named ${name}`);
  return output.Value;
}

/** A function's environment variables as written in its template. */
export function environment(fn: Handler): Record<string, unknown> {
  const resource = fn.template.toJSON().Resources[fn.id];
  return resource?.Properties?.Environment?.Variables ?? {};
}

interface Output {
  Value: unknown;
  Export?: { Name?: unknown };
}
