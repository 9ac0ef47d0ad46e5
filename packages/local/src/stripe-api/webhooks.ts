import Stripe from "stripe";

export type Delivery = {
  eventId: string;
  type: string;
  status: number | "error";
};

export type SignedDelivery = { body: string; headers: Record<string, string> };

/**
 * An event as Stripe posts it, signed by the SDK's own test signer. The
 * signature is dated by the wall clock, not the stand-in's clock: the
 * receiver checks it against its own clock (five minutes' tolerance).
 */
export function signDelivery(
  event: Stripe.Event,
  secret: string,
  timestamp?: number,
): SignedDelivery {
  const body = JSON.stringify(event, null, 2);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    timestamp,
  });
  return {
    body,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
      "stripe-signature": signature,
    },
  };
}

/**
 * Posts each event to one endpoint, one at a time, in the order emitted.
 * A failed delivery is recorded and not retried: Stripe retries for up
 * to three days, which no test or local session waits for; a test that
 * wants a retry posts `signedDelivery(event)` itself.
 */
export function webhookSender(target: { url: string; secret: string }) {
  const deliveries: Delivery[] = [];
  let queue = Promise.resolve();

  async function post(event: Stripe.Event) {
    const { body, headers } = signDelivery(event, target.secret);
    let status: Delivery["status"];
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = "error";
    }
    deliveries.push({ eventId: event.id, type: event.type, status });
  }

  return {
    deliveries,
    send(event: Stripe.Event) {
      queue = queue.then(() => post(event));
    },
    /** Resolves once every event sent so far has been delivered or failed. */
    settled: (): Promise<void> => queue,
  };
}
