import { z } from "zod";
import { invalid, noSuch } from "./errors";
import type { Form, FormValue } from "./form";
import { customerObject, list, type Json } from "./objects";
import * as Checkout from "./checkout";
import * as Customers from "./customers";
import * as Portal from "./portal";
import type { State } from "./state";
import * as Subscriptions from "./subscriptions";

export type Route = {
  method: string;
  path: RegExp;
  run(form: Form, id: string, state: State): Json;
};

// Everything arrives as text, as the SDK form-encodes it.
const id = z.string().min(1).max(255);
const link = z.string().max(5000).refine(isWebAddress, {
  error: "expected an http or https URL",
});
const flag = z.enum(["true", "false"]).transform((value) => value === "true");
const whole = z
  .string()
  .regex(/^[1-9]\d*$/, "expected a whole number above 0")
  .transform(Number);
/** `metadata=""` (the SDK's `metadata: ""`) clears it, as on Stripe. */
const metadata = z.union([
  z.literal(""),
  z
    .record(z.string().min(1).max(40), z.string().max(500))
    .refine((keys) => Object.keys(keys).length <= 50, "at most 50 keys"),
]);
const subscriptionStatus = z.enum([
  "active",
  "all",
  "canceled",
  "ended",
  "incomplete",
  "incomplete_expired",
  "past_due",
  "paused",
  "trialing",
  "unpaid",
]);

/**
 * Unknown parameters are refused, as Stripe refuses them, so a typo in the
 * product fails here the way it would fail against Stripe.
 */
function params<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject({ ...shape, expand: z.array(z.string()).optional() });
}

function route<S extends z.ZodType>(
  method: string,
  pattern: string,
  schema: S,
  handle: (input: z.output<S>, state: State, id: string) => Json,
): Route {
  const path = new RegExp(`^${pattern.replace(":id", "([^/]+)")}$`);
  return {
    method,
    path,
    run(form, id, state) {
      const input = parse(schema, form);
      const { expand = [] } = input as { expand?: string[] };
      return expandPaths(handle(input, state, id), expand, state);
    },
  };
}

function retrieve(pattern: string, object: string): Route {
  return route("GET", pattern, params({}), (_, state, id) => {
    const found = state.find(id);
    if (found?.object !== object) throw noSuch(object, id);
    return found;
  });
}

export const routes: Route[] = [
  route(
    "POST",
    "/v1/customers",
    params({
      email: z.email().max(512).optional(),
      name: z.string().max(256).optional(),
      metadata: metadata.optional(),
    }),
    (input, state) =>
      customerObject(
        Customers.create(state, {
          email: input.email,
          name: input.name,
          metadata: input.metadata || {},
        }),
      ),
  ),
  retrieve("/v1/customers/:id", "customer"),
  route("DELETE", "/v1/customers/:id", params({}), (_, state, id) =>
    Customers.remove(state, id),
  ),
  route(
    "POST",
    "/v1/checkout/sessions",
    params({
      mode: z.literal("subscription", {
        error: "the local Stripe stand-in supports mode=subscription only",
      }),
      customer: id.optional(),
      customer_email: z.email().max(512).optional(),
      client_reference_id: z.string().min(1).max(200).optional(),
      line_items: z
        .array(z.strictObject({ price: id, quantity: whole.optional() }))
        .min(1)
        .max(20),
      subscription_data: z
        .strictObject({ metadata: metadata.optional() })
        .optional(),
      metadata: metadata.optional(),
      success_url: link.optional(),
      cancel_url: link.optional(),
      // Accepted so product code may set them; nothing here depends on them.
      allow_promotion_codes: flag.optional(),
      billing_address_collection: z.enum(["auto", "required"]).optional(),
      locale: z.string().max(20).optional(),
    }),
    (input, state) =>
      Checkout.create(state, {
        customer: input.customer,
        customerEmail: input.customer_email,
        clientReferenceId: input.client_reference_id,
        lineItems: input.line_items.map((item) => ({
          price: item.price,
          quantity: item.quantity ?? 1,
        })),
        metadata: input.metadata || {},
        subscriptionMetadata: input.subscription_data?.metadata || {},
        successUrl: input.success_url,
        cancelUrl: input.cancel_url,
      }),
  ),
  retrieve("/v1/checkout/sessions/:id", "checkout.session"),
  route(
    "GET",
    "/v1/subscriptions",
    params({
      customer: id.optional(),
      price: id.optional(),
      status: subscriptionStatus.optional(),
      limit: whole.refine((n) => n <= 100, "at most 100").optional(),
      starting_after: id.optional(),
    }),
    (input, state) => {
      const all = Subscriptions.list(state, input);
      let start = 0;
      if (input.starting_after) {
        start = all.findIndex((s) => s.id === input.starting_after) + 1;
        if (start === 0) {
          throw noSuch("subscription", input.starting_after, "starting_after");
        }
      }
      const end = start + (input.limit ?? 10);
      return list(all.slice(start, end), "/v1/subscriptions", end < all.length);
    },
  ),
  retrieve("/v1/subscriptions/:id", "subscription"),
  route(
    "POST",
    "/v1/subscriptions/:id",
    params({
      cancel_at_period_end: flag.optional(),
      metadata: metadata.optional(),
    }),
    (input, state, id) =>
      Subscriptions.update(state, id, {
        cancelAtPeriodEnd: input.cancel_at_period_end,
        metadata: input.metadata,
      }),
  ),
  route(
    "DELETE",
    "/v1/subscriptions/:id",
    params({ invoice_now: flag.optional(), prorate: flag.optional() }),
    (_, state, id) => Subscriptions.cancel(state, id),
  ),
  route(
    "POST",
    "/v1/billing_portal/sessions",
    params({
      customer: id,
      return_url: link.optional(),
      locale: z.string().max(20).optional(),
    }),
    (input, state) => Portal.create(state, input.customer, input.return_url),
  ),
  retrieve("/v1/prices/:id", "price"),
  retrieve("/v1/invoices/:id", "invoice"),
];

/** Zod's first complaint, as the 400 Stripe would give for it. */
function parse<S extends z.ZodType>(schema: S, form: Form): z.output<S> {
  const result = schema.safeParse(form);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const issue =
    issues.find((candidate) => candidate.code === "unrecognized_keys") ??
    issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const param = paramName([...issue.path, issue.keys[0]!]);
    const message = `Received unknown parameter: ${param}`;
    throw invalid(message, param, "parameter_unknown");
  }
  const param = paramName(issue.path);
  if (valueAt(form, issue.path) === undefined) {
    const message = `Missing required param: ${param}.`;
    throw invalid(message, param, "parameter_missing");
  }
  throw invalid(`Invalid ${param}: ${issue.message}`, param);
}

/** `["line_items", 0, "price"]` is `line_items[0][price]`. */
function paramName(path: PropertyKey[]): string {
  const [first, ...rest] = path.map(String);
  return `${first}${rest.map((part) => `[${part}]`).join("")}`;
}

function valueAt(form: Form, path: PropertyKey[]): FormValue | undefined {
  let value: FormValue | undefined = form;
  for (const key of path) {
    if (value === undefined || typeof value === "string") return undefined;
    value = (value as Record<string, FormValue>)[String(key)];
  }
  return value;
}

/** `expand[]=subscription` or `data.customer`: ids become their objects. */
function expandPaths(object: Json, paths: string[], state: State): Json {
  for (const path of paths) expandAt(object, path.split("."), path, state);
  return object;
}

function expandAt(holder: Json, keys: string[], path: string, state: State) {
  if (Array.isArray(holder)) {
    for (const item of holder) expandAt(item, keys, path, state);
    return;
  }
  const [key, ...rest] = keys;
  const message = `This property cannot be expanded (${path}).`;
  const cannot = invalid(message, "expand");
  if (!holder || typeof holder !== "object" || !Object.hasOwn(holder, key!)) {
    throw cannot;
  }
  if (rest.length > 0) return expandAt(holder[key!], rest, path, state);
  const value = holder[key!];
  // Null stays null; an object was expanded by an earlier path.
  if (typeof value !== "string") return;
  const found = state.find(value);
  if (!found) throw cannot;
  holder[key!] = found;
}

function isWebAddress(text: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
