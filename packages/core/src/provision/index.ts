import type Stripe from "stripe";
// Not the clerk index: the consumer needs no Svix verification.
import * as Clerk from "../clerk/apply";
import { ClerkEvent } from "../clerk/events";
import { InvalidInputError } from "../errors";
import * as Queue from "../queue";
import * as Stripes from "../stripe";

export type ApplyOutcome = Clerk.ApplyOutcome | Stripes.StripeApplyOutcome;

export type Processed = {
  eventId: string;
  source: Queue.Envelope["source"];
  type: string;
  userId: string;
  outcome: ApplyOutcome;
  /** Stripe events: the membership and status now stored. */
  membership?: string;
  subscriptionStatus?: string;
  /** A subscription status this code does not know; membership kept. */
  unknownStatus?: string;
};

export type Dependencies = {
  /** Made on first use, so Clerk events never need Stripe's settings. */
  stripe: () => Stripe;
};

/**
 * Applies one provision-queue message. Throws InvalidInputError for a
 * message that can never succeed and UnavailableError or NotFoundError
 * for one that may succeed later; anything else it returns is success,
 * lost races and stale events included.
 */
export async function processMessage(
  body: string,
  deps: Dependencies,
): Promise<Processed> {
  const envelope = Queue.parseBody(body);
  return envelope.source === "stripe"
    ? processStripe(envelope, deps)
    : processClerk(envelope);
}

async function processClerk(envelope: Queue.Envelope): Promise<Processed> {
  const event = ClerkEvent.safeParse(envelope.payload);
  if (!event.success) throw invalidPayload(envelope, event.error);
  const outcome = await Clerk.applyEvent(event.data);
  return {
    eventId: envelope.eventId,
    source: "clerk",
    type: event.data.type,
    userId: event.data.data.id,
    outcome,
  };
}

async function processStripe(
  envelope: Queue.Envelope,
  deps: Dependencies,
): Promise<Processed> {
  const ref = Stripes.StripeRef.safeParse(envelope.payload);
  if (!ref.success) throw invalidPayload(envelope, ref.error);
  const { userId, result } = await Stripes.applyStripeEvent(
    deps.stripe(),
    ref.data,
  );
  return {
    eventId: envelope.eventId,
    source: "stripe",
    type: ref.data.type,
    userId,
    outcome: result.outcome,
    membership: result.customer?.membership,
    subscriptionStatus: result.state?.status,
    unknownStatus: result.unknownStatus,
  };
}

function invalidPayload(
  envelope: Queue.Envelope,
  error: { issues: Array<{ path: PropertyKey[] }> },
) {
  return new InvalidInputError("payload does not match its event schema", {
    eventId: envelope.eventId,
    type: envelope.type,
    fields: error.issues.map((issue) => issue.path.join(".")),
  });
}
