import { noSuch } from "./errors";
import {
  customerObject,
  deletedCustomerObject,
  newId,
  type Json,
} from "./objects";
import type { CustomerRecord, Metadata, State } from "./state";
import * as Subscriptions from "./subscriptions";

export function create(
  state: State,
  fields: { email?: string; name?: string; metadata?: Metadata },
): CustomerRecord {
  const customer: CustomerRecord = {
    id: newId("cus_", 14),
    created: state.now(),
    email: fields.email ?? null,
    name: fields.name ?? null,
    metadata: fields.metadata ?? {},
    invoicePrefix: newId("", 8).toUpperCase(),
    invoiceCount: 0,
    deleted: false,
  };
  state.customers.set(customer.id, customer);
  state.emit("customer.created", customerObject(customer));
  return customer;
}

/** A customer a parameter names; a deleted one is no such customer. */
export function live(state: State, id: string, param: string): CustomerRecord {
  const customer = state.customers.get(id);
  if (!customer || customer.deleted) throw noSuch("customer", id, param);
  return customer;
}

export function list(state: State): Json[] {
  return [...state.customers.values()]
    .filter((customer) => !customer.deleted)
    .map(customerObject);
}

/** Stripe ends a deleted customer's subscriptions at once. */
export function remove(state: State, id: string): Json {
  const customer = state.customers.get(id);
  if (!customer || customer.deleted) throw noSuch("customer", id);
  for (const subscription of state.subscriptions.values()) {
    if (subscription.customer === id && Subscriptions.running(subscription)) {
      Subscriptions.end(state, subscription, state.now());
    }
  }
  customer.deleted = true;
  state.emit("customer.deleted", customerObject(customer));
  return deletedCustomerObject(id);
}
