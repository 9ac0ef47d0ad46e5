import type { Template } from "aws-cdk-lib/assertions";

export type Widget = {
  type: string;
  properties: { title: string; alarms?: string[]; metrics?: unknown[][] };
};

type Query = Record<string, any>;

/** An alarm's metric-math expression, and its inputs by id. */
export function math(alarm: Record<string, any>) {
  const [expression, ...inputs] = alarm.Metrics as Query[];
  if (!expression) throw new Error("the alarm uses no metric math");
  return {
    expression,
    inputs: Object.fromEntries(inputs.map((q) => [q.Id, q])),
  };
}

/**
 * The template's one dashboard body as JSON, each CloudFormation value
 * inside it (an alarm ARN, a queue or function name) replaced by its
 * JSON text.
 */
export function dashboardBody(template: Template): { widgets: Widget[] } {
  const dashboards = template.findResources("AWS::CloudWatch::Dashboard");
  const [only, ...rest] = Object.values(dashboards);
  if (!only || rest.length) throw new Error("not exactly one dashboard");
  const parts: unknown[] = only.Properties.DashboardBody["Fn::Join"][1];
  const values: string[] = [];
  const text = parts
    .map((part) => {
      if (typeof part === "string") return part;
      values.push(JSON.stringify(part));
      return `@${values.length - 1}@`;
    })
    .join("");
  return JSON.parse(text, (_, value) =>
    typeof value === "string"
      ? value.replace(/@(\d+)@/g, (_, i) => values[Number(i)]!)
      : value,
  );
}

function metrics(template: Template): unknown[][] {
  return dashboardBody(template).widgets.flatMap(
    (widget) => widget.properties.metrics ?? [],
  );
}

/** Each metric a graph shows: [namespace, name, dimension, value, ...]. */
export function graphed(template: Template): unknown[][] {
  return metrics(template).filter((metric) => typeof metric[0] === "string");
}

/** Each search expression a graph runs, as written. */
export function searches(template: Template): string[] {
  return metrics(template)
    .map((metric) => (metric[0] as { expression?: string }).expression)
    .filter((expression): expression is string => !!expression);
}

/** A graphed metric's namespace, name and dimensions, space-separated. */
export function line(metric: unknown[]): string {
  return metric.filter((part) => typeof part === "string").join(" ");
}
