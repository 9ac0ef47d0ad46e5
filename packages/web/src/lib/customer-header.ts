import { Customer } from "@app/core/customer";

/**
 * The record the proxy read for this request, handed to the page so one
 * render costs one strongly consistent read. The proxy removes the header
 * from every incoming request before it sets it, so a browser can never
 * supply it; the page still checks it belongs to the signed-in user.
 */
export const customerHeader = "x-app-customer";

export function encodeCustomer(customer: Customer): string {
  return Buffer.from(JSON.stringify(customer)).toString("base64url");
}

export function decodeCustomer(value: string | null): Customer | undefined {
  if (!value) return undefined;
  try {
    const json: unknown = JSON.parse(Buffer.from(value, "base64url").toString());
    const parsed = Customer.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
