import type { Template } from "aws-cdk-lib/assertions";

export interface Statement {
  effect: string;
  actions: string[];
  resources: unknown[];
}

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

interface PolicyDocument {
  Statement: RawStatement[];
}

interface RawStatement {
  Effect: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** Every statement in the inline and attached policies of a function role. */
export function roleStatements(template: Template, fnId: string): Statement[] {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const role = roleOf(resources[fnId], fnId);
  const documents = Object.values(resources).flatMap((r) => {
    if (r.Type === "AWS::IAM::Policy" && attachedTo(r, role)) {
      return [r.Properties?.PolicyDocument as PolicyDocument];
    }
    return [];
  });
  const inline = resources[role]?.Properties?.Policies as
    | { PolicyDocument: PolicyDocument }[]
    | undefined;
  documents.push(...(inline ?? []).map((p) => p.PolicyDocument));
  return documents.flatMap((d) => d.Statement).map(normalise);
}

export function actionsOf(statements: Statement[]): string[] {
  return [...new Set(statements.flatMap((s) => s.actions))].sort();
}

/** The ARNs of the managed policies on a function's role. */
export function managedPolicies(template: Template, fnId: string): string[] {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const role = resources[roleOf(resources[fnId], fnId)];
  const arns = (role?.Properties?.ManagedPolicyArns ?? []) as unknown[];
  return arns.map(text);
}

/** A string or an Fn::Join of strings and refs, as `${Ref}` text. */
export function text(value: unknown): string {
  if (typeof value === "string") return value;
  const v = value as { Ref?: string; "Fn::Join"?: [string, unknown[]] };
  if (v.Ref) return `\${${v.Ref}}`;
  if (v["Fn::Join"]) return v["Fn::Join"][1].map(text).join(v["Fn::Join"][0]);
  throw new Error(`cannot read ${JSON.stringify(value)} as text`);
}

function roleOf(fn: Resource | undefined, fnId: string): string {
  const role = fn?.Properties?.Role as { "Fn::GetAtt"?: string[] } | undefined;
  const id = role?.["Fn::GetAtt"]?.[0];
  if (fn?.Type !== "AWS::Lambda::Function" || !id) {
    throw new Error(`${fnId} is not a function with a role in this stack`);
  }
  return id;
}

function attachedTo(policy: Resource, role: string): boolean {
  const roles = (policy.Properties?.Roles ?? []) as { Ref?: string }[];
  return roles.some((r) => r.Ref === role);
}

function normalise(s: RawStatement): Statement {
  if (s.Action === undefined || s.Resource === undefined) {
    throw new Error(`unsupported statement ${JSON.stringify(s)}`);
  }
  return {
    effect: s.Effect,
    actions: [s.Action].flat(),
    resources: Array.isArray(s.Resource) ? s.Resource : [s.Resource],
  };
}
