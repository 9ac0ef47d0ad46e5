import * as Checkout from "./checkout";
import { ApiError } from "./errors";
import { FormError, parseForm } from "./form";
import type { Incoming, Reply } from "./server";
import type {
  CheckoutSessionRecord,
  PortalSessionRecord,
  State,
} from "./state";
import * as Subscriptions from "./subscriptions";

/**
 * What Stripe hosts, as plain HTML with form posts so that a browser or
 * `fetch` can use it: Checkout at `/pay/:id`, the portal at `/portal/:id`.
 */
export function answerPage(request: Incoming, state: State): Reply {
  const [area, id = "", action, ...rest] = request.url.pathname
    .split("/")
    .slice(1);
  const post = request.method === "POST";
  try {
    if (area === "pay" && !action) return pay(state, id, post, request.body);
    if (area === "portal" && rest.length === 0) {
      return portal(state, id, { post, action, body: request.body });
    }
    return notFound();
  } catch (error) {
    if (error instanceof ApiError || error instanceof FormError) {
      return page(400, "Not possible", html`<p>${error.message}</p>`);
    }
    throw error;
  }
}

function pay(state: State, id: string, post: boolean, body: string): Reply {
  const session = state.checkoutSessions.get(id);
  if (!session) return notFound();
  const next = session.successUrl?.replaceAll("{CHECKOUT_SESSION_ID}", id);
  if (post) {
    const { email } = parseForm(body);
    Checkout.complete(state, id, {
      email: typeof email === "string" ? email.trim() : undefined,
    });
    return next
      ? redirect(next)
      : page(200, "Paid", html`<p>Thank you. You may close this page.</p>`);
  }
  if (session.status === "complete") {
    return page(
      200,
      "Already paid",
      html`<p>This checkout is complete.</p>
        ${next ? html`<a href="${next}">Continue</a>` : ""}`,
    );
  }
  return page(200, "Subscribe", checkoutForm(state, session));
}

function checkoutForm(state: State, session: CheckoutSessionRecord): Html {
  const lines = session.lineItems.map((item) => {
    const price = state.prices.get(item.price)!;
    const times = item.quantity > 1 ? ` × ${item.quantity}` : "";
    return html`<li>
      ${price.nickname}: ${money(price.unit_amount, price.currency)}
      per ${price.recurring.interval}${times}
    </li>`;
  });
  const email = session.customer
    ? state.find(session.customer)?.email
    : undefined;
  const payer = session.customer
    ? html`<p>${email ? `Paying as ${email}` : ""}</p>`
    : html`<label>Email
        <input type="email" name="email" value="${session.customerEmail ?? ""}">
      </label>`;
  return html`<ul>${lines}</ul>
    <p>Due today: ${money(session.amountTotal, session.currency)}</p>
    <form method="post" action="/pay/${session.id}">
      ${payer}
      <button type="submit" data-testid="stripe-pay">Subscribe</button>
    </form>
    ${session.cancelUrl ? html`<a href="${session.cancelUrl}">Back</a>` : ""}`;
}

const portalActions = new Map([
  ["cancel-at-period-end", true],
  ["resume", false],
]);

function portal(
  state: State,
  id: string,
  request: { post: boolean; action?: string; body: string },
): Reply {
  const session = state.portalSessions.get(id);
  if (!session) return notFound();
  if (!request.post && !request.action) {
    return page(200, "Billing", portalView(state, session));
  }
  const cancel = portalActions.get(request.action ?? "");
  const chosen = parseForm(request.body).subscription;
  const subscription =
    typeof chosen === "string" ? state.subscriptions.get(chosen) : undefined;
  // Only these actions, on a subscription of the portal's own customer.
  const allowed = subscription?.customer === session.customer;
  if (!request.post || cancel === undefined || !allowed) return notFound();
  Subscriptions.update(state, subscription.id, { cancelAtPeriodEnd: cancel });
  return redirect(`/portal/${id}`);
}

function portalView(state: State, session: PortalSessionRecord): Html {
  const back = session.returnUrl
    ? html`<p><a href="${session.returnUrl}"
        data-testid="stripe-portal-return">Return</a></p>`
    : "";
  const subscription = Subscriptions.current(state, session.customer);
  if (!subscription) return html`<p>No subscription.</p>${back}`;
  const price = state.prices.get(subscription.items[0]!.price)!;
  const button = (action: string, label: string) => html`
    <form method="post" action="/portal/${session.id}/${action}">
      <input type="hidden" name="subscription" value="${subscription.id}">
      <button type="submit" data-testid="stripe-${action}">${label}</button>
    </form>`;
  // As on Stripe's portal: cancel a plan that renews, renew one that ends.
  const choice = !Subscriptions.running(subscription)
    ? ""
    : subscription.cancelAtPeriodEnd
      ? button("resume", "Renew plan")
      : button("cancel-at-period-end", "Cancel plan");
  return html`<dl>
      <dt>Plan</dt><dd>${price.nickname}</dd>
      <dt>Status</dt>
      <dd data-testid="stripe-portal-status">${subscription.status}</dd>
      <dt>Current period ends</dt>
      <dd data-testid="stripe-portal-period-end">
        ${day(subscription.periodEnd)}
      </dd>
      <dt>Cancels at period end</dt>
      <dd data-testid="stripe-portal-cancels">
        ${subscription.cancelAtPeriodEnd ? "yes" : "no"}
      </dd>
    </dl>
    ${choice}${back}`;
}

/** Markup whose interpolated values were escaped, unless already markup. */
class Html {
  constructor(readonly text: string) {}
}

function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const text = (value: unknown): string =>
    value instanceof Html
      ? value.text
      : Array.isArray(value)
        ? value.map(text).join("")
        : escape(String(value ?? ""));
  return new Html(
    strings.reduce((out, part, i) => out + text(values[i - 1]) + part),
  );
}

function page(status: number, title: string, body: Html): Reply {
  const document = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${title}: local Stripe</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 32rem; margin: auto }
  button { font-size: 1rem; padding: .5rem 1rem }
  dt { font-weight: 600 }
</style>
</head><body>
<p><small>Local stand-in for Stripe: no card is charged.</small></p>
<h1>${title}</h1>
${body}
</body></html>`;
  return {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    },
    body: document.text,
  };
}

function notFound(): Reply {
  return page(404, "Not found", html`<p>No such page.</p>`);
}

function redirect(location: string): Reply {
  return {
    status: 303,
    headers: { location, "cache-control": "no-store" },
    body: "",
  };
}

function money(amount: number, currency: string): string {
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: currency.toUpperCase(),
  }).format(amount / 100);
}

function day(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => entities[char]!);
}
