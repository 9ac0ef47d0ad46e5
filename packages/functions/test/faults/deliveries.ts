import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type Stripe from "stripe";
import * as Customer from "@app/core/customer";
import { UnavailableError } from "@app/core/errors";
import { createHandler as clerkHandler } from "../../src/clerk-webhook.js";
import { webhookConfig } from "../../src/clerk-webhook-config.js";
import { createHandler as stripeHandler } from "../../src/stripe-webhook.js";
import { stripeWebhookConfig } from "../../src/stripe-webhook-config.js";
import {
  signedClerkRequest,
  stripeRequest,
} from "../../../../test/support/webhook.js";
import type { Run } from "./harness.js";
import type { Answer } from "./model.js";
import type { Rig } from "./rig.js";
import type { Fate } from "./schedule.js";

export const clerkSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const stripeSecret = "whsec_faultSchedules0123456789";

type Webhook = (
  event: APIGatewayProxyEventV2,
) => Promise<{ statusCode?: number; body?: string }>;

export type Webhooks = Record<
  "clerk" | "stripe",
  Record<"ok" | "refusing", Webhook>
>;

/** Each webhook twice: on the queue, and on a queue that is not there. */
export function webhooksFor(rig: Rig, queueUrl: string): Webhooks {
  const missing = `${rig.sqsEndpoint}/000000000000/faults-no-such-queue`;
  const clerk = (queueUrl: string) =>
    clerkHandler(() =>
      webhookConfig({
        CLERK_WEBHOOK_SECRET: clerkSecret,
        PROVISION_QUEUE_URL: queueUrl,
      }),
    );
  const stripe = (queueUrl: string) =>
    stripeHandler(() =>
      stripeWebhookConfig({
        STRIPE_WEBHOOK_SECRET: stripeSecret,
        PROVISION_QUEUE_URL: queueUrl,
      }),
    );
  return {
    clerk: { ok: clerk(queueUrl), refusing: clerk(missing) },
    stripe: { ok: stripe(queueUrl), refusing: stripe(missing) },
  };
}

/**
 * One attempt at a delivery. A dropped one never reaches the webhook; a
 * refused one reaches it while its queue is gone, so it answers 500.
 */
export async function deliverClerk(
  run: Run,
  user: number,
  event: number,
  body: string,
  fate: Fate,
) {
  if (fate === "dropped") return;
  const eventId = run.seen.clerkEventIds[user]![event]!;
  const request = signedClerkRequest(body, clerkSecret, { id: eventId });
  const { ok, refusing } = run.webhooks.clerk;
  const webhook = fate === "refused" ? refusing : ok;
  const answer = await webhook(request);
  record(run, { source: "clerk", eventId, user, fate }, answer);
}

/** The same for Stripe, signed afresh on each attempt as Stripe does. */
export async function deliverStripe(
  run: Run,
  user: number,
  event: Stripe.Event,
  fate: Fate,
) {
  if (fate === "dropped") return;
  const { body, headers } = run.standIn.signedDelivery(event);
  const request = stripeRequest(body, headers);
  const { ok, refusing } = run.webhooks.stripe;
  const webhook = fate === "refused" ? refusing : ok;
  const answer = await webhook(request);
  record(run, { source: "stripe", eventId: event.id, user, fate }, answer);
}

function record(
  run: Run,
  attempt: Omit<Answer, "status" | "reason">,
  response: { statusCode?: number; body?: string },
) {
  const body = JSON.parse(response.body ?? "{}");
  run.seen.answers.push({
    ...attempt,
    status: response.statusCode ?? 0,
    reason: body.reason ?? body.error ?? "",
  });
}

/** A page load: `tabs` server components asking for the record at once. */
export async function visit(run: Run, user: number, tabs: number) {
  const loads = Array.from({ length: tabs }, () =>
    Customer.ensure(run.userIds[user]!, { createdBy: "page" }),
  );
  for (const load of await Promise.allSettled(loads)) {
    const failed = load.status === "rejected";
    // Storage down is an answer (the site's 503); anything else is a bug.
    if (failed && !(load.reason instanceof UnavailableError)) {
      throw load.reason;
    }
    run.seen.pages.push({ user, ok: load.status === "fulfilled" });
  }
}
