import { Alarm } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { use, type StackContext } from "sst/constructs";
import { z } from "zod";
import { readEnv } from "../packages/core/src/config/index.js";
import { Api, clerkWebhookPath, stripeWebhookPath } from "./api.js";
import { signalAlarms, type Raise } from "./monitoring-alarms.js";
import { signalsDashboard } from "./monitoring-dashboard.js";
import { Provisioning } from "./provisioning.js";

type Env = Record<string, string | undefined>;

/**
 * Where alarms are mailed, read at synth. SST loads `.env` and
 * `.env.<stage>` before the stacks run, so a stage sets ALARM_EMAIL there
 * or in the deploying shell. A Config.Parameter holds a value fixed in
 * code and a Config.Secret is read by functions at run time, so neither
 * can feed a subscription. Unset, the topic has no subscriber.
 */
export function alarmEmail(env: Env = process.env): string | undefined {
  const value = env.ALARM_EMAIL || undefined;
  return readEnv({ ALARM_EMAIL: z.email().optional() }, { ALARM_EMAIL: value })
    .ALARM_EMAIL;
}

export function Monitoring({ app, stack }: StackContext) {
  const { queue, dlq } = use(Provisioning);
  const { api } = use(Api);
  const webhook = found(
    api.getFunction(`POST ${clerkWebhookPath}`),
    "the Clerk webhook",
  );
  const stripeWebhook = found(
    api.getFunction(`POST ${stripeWebhookPath}`),
    "the Stripe webhook",
  );
  const consumer = found(queue.consumerFunction, "the provision consumer");

  const topic = new Topic(stack, "alarms", {
    displayName: `Sign-up provisioning alarms (${app.stage})`,
  });
  const email = alarmEmail();
  if (email) topic.addSubscription(new EmailSubscription(email));
  const notify = new SnsAction(topic);
  const alarm: Raise = (id, options) => {
    const created = new Alarm(stack, id, {
      alarmName: app.logicalPrefixedName(id),
      evaluationPeriods: 1,
      ...options,
    });
    created.addAlarmAction(notify);
    // The all-clear too, so whoever was mailed knows it has passed.
    created.addOkAction(notify);
    return created;
  };

  const alarms = signalAlarms(alarm, {
    queue: queue.cdk.queue,
    dlq: dlq.cdk.queue,
    webhook,
    stripeWebhook,
    consumer,
  });
  const dashboard = signalsDashboard(stack, {
    name: app.logicalPrefixedName("signals"),
    alarms: Object.values(alarms),
    queue: queue.cdk.queue,
    dlq: dlq.cdk.queue,
    webhook,
    stripeWebhook,
    consumer,
  });
  return { topic, alarms, dashboard };
}

function found<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`${name} is not in the app`);
  return value;
}
