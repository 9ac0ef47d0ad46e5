import { Template } from "aws-cdk-lib/assertions";
import { getStack, use } from "sst/constructs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Metric } from "../packages/core/src/metrics/names.js";
import { Api } from "./api.js";
import { alarmEmail, Monitoring } from "./monitoring.js";
import { Provisioning } from "./provisioning.js";
import {
  dashboardBody,
  graphed,
  line,
  math,
  searches,
} from "./cloudwatch-helpers.js";
import {
  handlers,
  imported,
  logicalId,
  synth,
  type Synth,
} from "./test-helpers.js";

type Resource = { Type: string; Properties: Record<string, any> };
type Alarms = ReturnType<typeof Monitoring>["alarms"];

const address = "alarms@example.test";
let app: Synth;
let template: Template;
let mailed: Template;
let alarms: Record<keyof Alarms, Record<string, any>>;
let topic: string;
let queue: unknown;
let dlq: unknown;
let webhook: unknown;
let stripeWebhook: unknown;
let consumer: unknown;

beforeAll(async () => {
  delete process.env.ALARM_EMAIL;
  mailed = await synthesized(address);
  app = await synth("test");
  template = Template.fromStack(getStack(Monitoring));
  const monitoring = use(Monitoring);
  topic = logicalId(monitoring.topic);
  alarms = Object.fromEntries(
    Object.entries(monitoring.alarms).map(([name, alarm]) => [
      name,
      resource(logicalId(alarm)).Properties,
    ]),
  ) as typeof alarms;
  const provisioning = app.exports(Provisioning);
  queue = queueName(logicalId(provisioning.queue.cdk.queue));
  dlq = queueName(logicalId(provisioning.dlq.cdk.queue));
  const fns = handlers(app);
  webhook = { Ref: fns.webhook.id };
  stripeWebhook = { Ref: fns.stripeWebhook.id };
  consumer = { Ref: fns.consumer.id };
});

afterAll(() => app.dispose());

/** The Monitoring template synthesized with ALARM_EMAIL set. */
async function synthesized(email: string): Promise<Template> {
  process.env.ALARM_EMAIL = email;
  try {
    const withEmail = await synth("test");
    const result = Template.fromStack(getStack(Monitoring));
    withEmail.dispose();
    return result;
  } finally {
    delete process.env.ALARM_EMAIL;
  }
}

function resource(id: string): Resource {
  const found = template.toJSON().Resources[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
}

function queueName(id: string) {
  return { "Fn::GetAtt": [id, "QueueName"] };
}

/** What a cross-stack value refers to in the stack that exports it. */
function resolved(value: unknown, exporter: typeof Api | typeof Provisioning) {
  return imported(app.template(exporter), value);
}

function published(name: string, dimensions: Record<string, string>) {
  return {
    Namespace: "SignupProvisioning",
    MetricName: name,
    Dimensions: Object.entries(dimensions)
      .map(([Name, Value]) => ({ Name, Value }))
      .sort((a, b) => a.Name.localeCompare(b.Name)),
  };
}

describe("the alarm topic", () => {
  it("has no subscriber when ALARM_EMAIL is unset", () => {
    template.resourceCountIs("AWS::SNS::Topic", 1);
    template.resourceCountIs("AWS::SNS::Subscription", 0);
  });

  it("mails ALARM_EMAIL when it is set at synth", () => {
    const topics = Object.keys(mailed.findResources("AWS::SNS::Topic"));
    mailed.resourceCountIs("AWS::SNS::Subscription", 1);
    mailed.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: address,
      TopicArn: { Ref: topics[0] },
    });
  });

  it("treats an empty ALARM_EMAIL as unset", () => {
    expect(alarmEmail({ ALARM_EMAIL: "" })).toBeUndefined();
  });

  it("refuses a malformed ALARM_EMAIL, naming the variable", () => {
    expect(() => alarmEmail({ ALARM_EMAIL: "ops-team" })).toThrow(
      /^ALARM_EMAIL is malformed/,
    );
  });
});

describe("every alarm", () => {
  it("is one of the six below", () => {
    template.resourceCountIs("AWS::CloudWatch::Alarm", 6);
    expect(Object.keys(alarms)).toHaveLength(6);
  });

  it("notifies the topic when it fires and when it clears", () => {
    for (const alarm of Object.values(alarms)) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
      expect(alarm.OKActions).toEqual([{ Ref: topic }]);
    }
  });

  it("treats missing data as not breaching and rings on one period", () => {
    for (const alarm of Object.values(alarms)) {
      expect(alarm.TreatMissingData).toBe("notBreaching");
      expect(alarm.EvaluationPeriods).toBe(1);
    }
  });

  it("is named with the stage and the app and says what to check", () => {
    for (const alarm of Object.values(alarms)) {
      expect(alarm.AlarmName).toMatch(/^test-signup-provisioning-/);
      expect(alarm.AlarmDescription.length).toBeGreaterThan(40);
    }
  });
});

describe("the dead-letter alarm", () => {
  it("rings as soon as one message is visible in the DLQ", () => {
    const alarm = alarms.deadLetters;
    expect(alarm).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Statistic: "Maximum",
      Period: 60,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(alarm.Dimensions).toHaveLength(1);
    expect(alarm.Dimensions[0].Name).toBe("QueueName");
    expect(resolved(alarm.Dimensions[0].Value, Provisioning)).toEqual(dlq);
  });
});

describe("the backlog alarm", () => {
  it("rings when the oldest provision message is over 300 seconds old", () => {
    const alarm = alarms.oldestMessage;
    expect(alarm).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateAgeOfOldestMessage",
      Statistic: "Maximum",
      Period: 60,
      Threshold: 300,
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(resolved(alarm.Dimensions[0].Value, Provisioning)).toEqual(queue);
  });
});

describe("the webhook 5xx alarm", () => {
  it.each([
    ["Clerk", "clerk", "clerk-webhook"],
    ["Stripe", "stripe", "stripe-webhook"],
  ])("adds the %s webhook's own 5xx count to its function errors", (_, id, service) => {
    const { expression, inputs } = math(alarms.webhookFailures);
    expect(expression).toMatchObject({
      Expression:
        "FILL(clerk, 0) + FILL(clerkCrashed, 0) + " +
        "FILL(stripe, 0) + FILL(stripeCrashed, 0)",
      ReturnData: true,
    });
    expect(inputs[id].MetricStat).toEqual({
      Metric: published("WebhookFailed", { service }),
      Period: 300,
      Stat: "Sum",
    });
    const errors = inputs[`${id}Crashed`].MetricStat;
    expect(errors).toMatchObject({ Period: 300, Stat: "Sum" });
    expect(errors.Metric).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
    });
    const fn = errors.Metric.Dimensions[0];
    expect(fn.Name).toBe("FunctionName");
    expect(resolved(fn.Value, Api)).toEqual(
      id === "clerk" ? webhook : stripeWebhook,
    );
  });

  it("rings on one 5xx in five minutes", () => {
    expect(alarms.webhookFailures).toMatchObject({
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
    });
  });
});

describe("the consumer failure alarm", () => {
  it("adds failed messages to the consumer's function errors", () => {
    const { expression, inputs } = math(alarms.consumerFailures);
    expect(expression.Expression).toBe("FILL(failed, 0) + FILL(crashed, 0)");
    expect(inputs.failed.MetricStat).toEqual({
      Metric: published("ProvisionFailed", { service: "provision" }),
      Period: 300,
      Stat: "Sum",
    });
    const errors = inputs.crashed.MetricStat;
    expect(errors.Metric.MetricName).toBe("Errors");
    const fn = errors.Metric.Dimensions[0];
    expect(resolved(fn.Value, Provisioning)).toEqual(consumer);
  });

  it("rings on one failure in five minutes", () => {
    expect(alarms.consumerFailures).toMatchObject({
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
    });
  });
});

describe("the page-without-webhook alarm", () => {
  it("compares page-created records with user.created deliveries", () => {
    const { expression, inputs } = math(alarms.pageWithoutWebhook);
    expect(expression.Expression).toBe("FILL(page, 0) - FILL(deliveries, 0)");
    expect(inputs.page.MetricStat).toEqual({
      Metric: published("CustomerCreated", {
        service: "web",
        createdBy: "page",
      }),
      Period: 3600,
      Stat: "Sum",
    });
    expect(inputs.deliveries.MetricStat).toEqual({
      Metric: published("WebhookAccepted", {
        service: "clerk-webhook",
        eventType: "user.created",
      }),
      Period: 3600,
      Stat: "Sum",
    });
  });

  it("rings when the page created six more in an hour", () => {
    expect(alarms.pageWithoutWebhook).toMatchObject({
      Threshold: 5,
      ComparisonOperator: "GreaterThanThreshold",
    });
  });
});

describe("the site-storage-unavailable alarm", () => {
  it("rings on one 503 from the site in five minutes", () => {
    expect(alarms.siteUnavailable).toMatchObject({
      Namespace: "SignupProvisioning",
      MetricName: "StorageUnavailable",
      Dimensions: [{ Name: "service", Value: "web" }],
      Period: 300,
      Statistic: "Sum",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
    });
  });
});

describe("the dashboard", () => {
  it("is named for the stage", () => {
    template.hasResourceProperties("AWS::CloudWatch::Dashboard", {
      DashboardName: "test-signup-provisioning-signals",
    });
  });

  it("shows every alarm's state", () => {
    const [status] = dashboardBody(template).widgets;
    expect(status!.type).toBe("alarm");
    const arns = Object.values(use(Monitoring).alarms).map((alarm) =>
      JSON.stringify({ "Fn::GetAtt": [logicalId(alarm), "Arn"] }),
    );
    expect(status!.properties.alarms).toEqual(arns);
  });

  it("graphs every metric the handlers publish", () => {
    const plain = graphed(template)
      .filter((metric) => metric[0] === "SignupProvisioning")
      .map((metric) => metric[1]);
    const searched = searches(template).map(
      (search) => /MetricName="(\w+)"/.exec(search)?.[1],
    );
    const names = new Set([...plain, ...searched]);
    expect([...names].sort()).toEqual(Object.values(Metric).sort());
  });

  it.each([
    ["WebhookRejected", "clerk-webhook", "reason"],
    ["WebhookFailed", "clerk-webhook", "reason"],
    ["ProvisionFailed", "provision", "failure"],
    ["EventSkipped", "provision", "reason"],
  ])("splits %s by %s's %s", (name, service, dimension) => {
    expect(searches(template)).toContainEqual(
      `SEARCH('{SignupProvisioning,service,${dimension}} ` +
        `MetricName="${name}" service="${service}"', 'Sum', 300)`,
    );
  });

  it("graphs customers created by each path side by side", () => {
    const created = dashboardBody(template).widgets.find(
      (w) => w.properties.title === "Customers created, by path",
    );
    const metrics = created!.properties.metrics!.map((m) => line(m));
    expect(metrics).toEqual([
      "SignupProvisioning CustomerCreated createdBy page service web",
      "SignupProvisioning CustomerCreated createdBy webhook service provision",
      "SignupProvisioning CustomerCreated createdBy reconcile " +
        "service reconcile",
      "SignupProvisioning WebhookAccepted eventType user.created " +
        "service clerk-webhook",
    ]);
  });

  it("graphs both queues and every function's errors", () => {
    const shown = graphed(template).map((metric) => line(metric));
    const name = (value: unknown) => JSON.stringify(value);
    const queueName = name(alarms.oldestMessage.Dimensions[0].Value);
    const dlqName = name(alarms.deadLetters.Dimensions[0].Value);
    const crashed = (alarm: Record<string, any>, input: string) =>
      name(math(alarm).inputs[input].MetricStat.Metric.Dimensions[0].Value);
    const webhookName = crashed(alarms.webhookFailures, "clerkCrashed");
    const stripeName = crashed(alarms.webhookFailures, "stripeCrashed");
    const consumerName = crashed(alarms.consumerFailures, "crashed");
    expect(shown).toEqual(
      expect.arrayContaining([
        `AWS/SQS ApproximateNumberOfMessagesVisible QueueName ${queueName}`,
        `AWS/SQS ApproximateAgeOfOldestMessage QueueName ${queueName}`,
        `AWS/SQS ApproximateNumberOfMessagesVisible QueueName ${dlqName}`,
        `AWS/Lambda Errors FunctionName ${webhookName}`,
        `AWS/Lambda Errors FunctionName ${stripeName}`,
        `AWS/Lambda Errors FunctionName ${consumerName}`,
      ]),
    );
  });
});
