import * as Clerk from "../clerk";
import { InvalidInputError } from "../errors";
import * as Queue from "../queue";

export type Processed = {
  eventId: string;
  type: string;
  userId: string;
  outcome: Clerk.ApplyOutcome;
};

/**
 * Applies one provision-queue message. Throws InvalidInputError for a
 * message that can never succeed and UnavailableError for one that may
 * succeed later; anything else it returns is success, lost races included.
 */
export async function processMessage(body: string): Promise<Processed> {
  const envelope = Queue.parseBody(body);
  const event = Clerk.ClerkEvent.safeParse(envelope.payload);
  if (!event.success) {
    throw new InvalidInputError("payload does not match its event schema", {
      eventId: envelope.eventId,
      type: envelope.type,
      fields: event.error.issues.map((issue) => issue.path.join(".")),
    });
  }
  const outcome = await Clerk.applyEvent(event.data);
  return {
    eventId: envelope.eventId,
    type: event.data.type,
    userId: event.data.data.id,
    outcome,
  };
}
