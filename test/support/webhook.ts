import type { APIGatewayProxyEventV2 } from "aws-lambda";
import {
  newDeliveryId,
  svixHeaders,
} from "../../packages/local/src/deliver.js";

export { svixHeaders };

/**
 * An API Gateway v2 event carrying `body` signed as Svix signs Clerk's
 * deliveries, with a fresh delivery id unless one is given.
 */
export function signedClerkRequest(
  body: string,
  secret: string,
  options: {
    id?: string;
    base64?: boolean;
    headers?: Record<string, string>;
    /** When the delivery was signed; now unless given. */
    at?: Date;
  } = {},
): APIGatewayProxyEventV2 {
  const id = options.id ?? newDeliveryId();
  return {
    version: "2.0",
    routeKey: "POST /webhooks/clerk",
    rawPath: "/webhooks/clerk",
    rawQueryString: "",
    headers: {
      "content-type": "application/json",
      ...svixHeaders(secret, id, body, options.at),
      ...options.headers,
    },
    requestContext: {} as APIGatewayProxyEventV2["requestContext"],
    body: options.base64 ? Buffer.from(body).toString("base64") : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

/**
 * An API Gateway v2 event for `POST /webhooks/stripe` carrying `body`
 * with the given headers (a `stripe-signature` among them, usually).
 */
export function stripeRequest(
  body: string,
  headers: Record<string, string>,
): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "POST /webhooks/stripe",
    rawPath: "/webhooks/stripe",
    rawQueryString: "",
    headers: { "content-type": "application/json", ...headers },
    requestContext: {} as APIGatewayProxyEventV2["requestContext"],
    body,
    isBase64Encoded: false,
  };
}
