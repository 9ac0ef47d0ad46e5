import { newId, portalSessionObject, type Json } from "./objects";
import * as Customers from "./customers";
import type { PortalSessionRecord, State } from "./state";

export function create(
  state: State,
  customerId: string,
  returnUrl?: string,
): Json {
  Customers.live(state, customerId, "customer");
  const id = newId("bps_");
  const session: PortalSessionRecord = {
    id,
    created: state.now(),
    configuration: state.portalConfiguration,
    customer: customerId,
    returnUrl: returnUrl ?? null,
    url: `${state.options.baseUrl}/portal/${id}`,
  };
  state.portalSessions.set(id, session);
  return portalSessionObject(session);
}
