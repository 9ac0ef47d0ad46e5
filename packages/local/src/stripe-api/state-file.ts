import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";
import type Stripe from "stripe";
import { z } from "zod";
import type { Json } from "./objects";
import type {
  CheckoutSessionRecord,
  CustomerRecord,
  InvoiceRecord,
  PortalSessionRecord,
  State,
  StateSnapshot,
  SubscriptionRecord,
} from "./state";

/** Bumped whenever the file's shape changes; other versions are refused. */
export const stateFileVersion = 1;

/** A state file that is there but cannot be used: start refuses it. */
export class StateFileError extends Error {
  override name = "StateFileError";
  constructor(
    readonly file: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `The local Stripe state in ${file} cannot be used: ${reason}. ` +
        "Delete that file to start the local Stripe empty " +
        "(the customers and subscriptions in it are then gone).",
      options,
    );
  }
}

const metadata = z.record(z.string(), z.string());
const lineItem = z.object({
  price: z.string(),
  quantity: z.number().int().positive(),
});
const timestamp = z.number().int();
const text = z.string().nullable();

const customer: z.ZodType<CustomerRecord> = z.object({
  id: z.string(),
  created: timestamp,
  email: text,
  name: text,
  metadata,
  invoicePrefix: z.string(),
  invoiceCount: z.number().int().nonnegative(),
  deleted: z.boolean(),
});

const subscription: z.ZodType<SubscriptionRecord> = z.object({
  id: z.string(),
  created: timestamp,
  customer: z.string(),
  status: z.string(),
  metadata,
  items: z.array(lineItem.extend({ id: z.string() })),
  periodStart: timestamp,
  periodEnd: timestamp,
  cancelAtPeriodEnd: z.boolean(),
  canceledAt: timestamp.nullable(),
  endedAt: timestamp.nullable(),
  latestInvoice: text,
});

const invoice: z.ZodType<InvoiceRecord> = z.object({
  id: z.string(),
  created: timestamp,
  number: z.string(),
  customer: z.string(),
  customerEmail: text,
  customerName: text,
  subscription: z.string(),
  subscriptionMetadata: metadata,
  billingReason: z.enum(["subscription_create", "subscription_cycle"]),
  periodStart: timestamp,
  periodEnd: timestamp,
  lines: z.array(
    lineItem.extend({ id: z.string(), subscriptionItem: z.string() }),
  ),
});

const checkoutSession: z.ZodType<CheckoutSessionRecord> = z.object({
  id: z.string(),
  created: timestamp,
  expiresAt: timestamp,
  url: z.url(),
  customer: text,
  customerEmail: text,
  createsCustomer: z.boolean(),
  clientReferenceId: text,
  lineItems: z.array(lineItem),
  amountTotal: z.number().int(),
  currency: z.string(),
  metadata,
  subscriptionMetadata: metadata,
  successUrl: text,
  cancelUrl: text,
  status: z.enum(["open", "complete"]),
  subscription: text,
  invoice: text,
  paidBy: z.object({ email: text, name: text }).nullable(),
});

const portalSession: z.ZodType<PortalSessionRecord> = z.object({
  id: z.string(),
  created: timestamp,
  configuration: z.string(),
  customer: z.string(),
  returnUrl: text,
  url: z.url(),
});

// Prices and events are kept as the API showed them, whole.
const price = z.looseObject({ id: z.string(), object: z.literal("price") });
const event = z.looseObject({
  id: z.string(),
  object: z.literal("event"),
  type: z.string(),
});

const stateFile = z
  .object({
    version: z.literal(stateFileVersion),
    clockOffset: z.number().int().nonnegative(),
    portalConfiguration: z.string(),
    proPrice: z.string(),
    prices: z.array(price).min(1),
    customers: z.array(customer),
    subscriptions: z.array(subscription),
    invoices: z.array(invoice),
    checkoutSessions: z.array(checkoutSession),
    portalSessions: z.array(portalSession),
    events: z.array(event),
  })
  .refine((file) => file.prices.some((p) => p.id === file.proPrice), {
    error: "proPrice names none of the prices",
    path: ["proPrice"],
  });

/**
 * What `file` holds; undefined when there is no such file. Anything else
 * that is not a state file of this version is a `StateFileError`, so a
 * damaged file is never silently replaced by an empty Stripe.
 */
export function readStateFile(file: string): StateSnapshot | undefined {
  let content: string;
  try {
    content = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateFileError(file, `it cannot be read (${error})`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    throw new StateFileError(file, `it is not JSON (${error})`, {
      cause: error,
    });
  }
  const version = (json as { version?: unknown } | null)?.version;
  if (version !== stateFileVersion) {
    const found =
      version === undefined
        ? "it has no version"
        : `it is version ${JSON.stringify(version)}`;
    const wanted = `this stand-in reads version ${stateFileVersion}`;
    throw new StateFileError(file, `${found}, ${wanted}`);
  }
  const parsed = stateFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join(".") || "the top level";
    throw new StateFileError(file, `at ${where}: ${issue.message}`);
  }
  const { version: _, prices, events, ...records } = parsed.data;
  return {
    ...records,
    prices: prices as Json[],
    events: events as unknown as Stripe.Event[],
  };
}

/**
 * Writes `state` to `file` when it changed since the last write. Idempotency
 * records are not kept: after a restart a retried request runs again.
 */
export function stateFileWriter(file: string, state: State) {
  let written: string | undefined;
  return () => {
    const content = JSON.stringify(
      { version: stateFileVersion, ...state.snapshot() },
      null,
      2,
    );
    if (content === written) return;
    writeAtomically(file, content);
    written = content;
  };
}

/**
 * A rename within a directory replaces the file in one step, so a crash
 * leaves either the old file or the new one, never a part. The data is
 * flushed before the rename, or a crash of the machine could leave the
 * new name on an empty file. A temp file left by a crash is overwritten
 * by the next write.
 */
function writeAtomically(file: string, content: string) {
  const temporary = `${file}.tmp`;
  mkdirSync(dirname(file), { recursive: true });
  try {
    const descriptor = openSync(temporary, "w");
    try {
      writeFileSync(descriptor, content);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
