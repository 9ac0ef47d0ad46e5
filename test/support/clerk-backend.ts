import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { fixtureJson } from "./fixtures.js";

export type ClerkUserJson = Record<string, unknown> & { id: string };

export type SeenRequest = {
  method: string;
  path: string;
  query: Record<string, string>;
  authorized: boolean;
  apiVersion?: string;
  userAgent?: string;
  status: number;
};

export type ClerkBackend = {
  /** What `createClerkClient({ apiUrl })` takes. */
  apiUrl: string;
  secretKey: string;
  users: ClerkUserJson[];
  requests: SeenRequest[];
  stop(): Promise<void>;
};

const orders = ["created_at", "updated_at"].flatMap((field) => [
  field,
  `+${field}`,
  `-${field}`,
]);

/**
 * Asked about every authorized request: a number refuses it with a 429
 * and that Retry-After in seconds, null with a 429 and no Retry-After.
 */
export type RateLimit = (request: SeenRequest) => number | null | undefined;

/**
 * A stand-in for Clerk's Backend API, enough for listing users:
 * `GET /v1/users` (a bare array, as Clerk answers) and
 * `GET /v1/users/count`, behind the secret key.
 */
export async function startClerkBackend(options: {
  users: ClerkUserJson[];
  secretKey?: string;
  rateLimit?: RateLimit;
}): Promise<ClerkBackend> {
  const secretKey = options.secretKey ?? "sk_test_standInSecretKey";
  const users = options.users;
  const requests: SeenRequest[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://stand-in");
    const seen: SeenRequest = {
      method: request.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorized: header(request, "authorization") === `Bearer ${secretKey}`,
      apiVersion: header(request, "clerk-api-version"),
      userAgent: header(request, "user-agent"),
      status: 0,
    };
    requests.push(seen);
    const answer = route(seen, users, options.rateLimit);
    seen.status = answer.status;
    send(response, answer);
  });
  await new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    secretKey,
    users,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Answer = {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
};

function route(
  seen: SeenRequest,
  users: ClerkUserJson[],
  rateLimit: RateLimit | undefined,
): Answer {
  if (!seen.authorized) {
    return clerkError(401, "authentication_invalid", "Unauthorized");
  }
  const retryAfter = rateLimit?.(seen);
  if (retryAfter !== undefined) {
    return {
      ...clerkError(429, "too_many_requests", "Too many requests"),
      headers: retryAfter === null ? {} : { "retry-after": `${retryAfter}` },
    };
  }
  if (seen.method !== "GET") return clerkError(405, "not_allowed", "GET");
  if (seen.path === "/v1/users/count") {
    const count = { object: "total_count", total_count: users.length };
    return { status: 200, body: count };
  }
  if (seen.path !== "/v1/users") {
    return clerkError(404, "resource_not_found", "Not found");
  }
  const limit = Number(seen.query.limit ?? "10");
  const offset = Number(seen.query.offset ?? "0");
  const order = seen.query.order_by ?? "-created_at";
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    return clerkError(422, "form_param_format_invalid", "limit");
  }
  if (!Number.isInteger(offset) || offset < 0 || !orders.includes(order)) {
    return clerkError(422, "form_param_format_invalid", "offset/order_by");
  }
  return {
    status: 200,
    body: sorted(users, order).slice(offset, offset + limit),
  };
}

function sorted(users: ClerkUserJson[], order: string): ClerkUserJson[] {
  const field = order.replace(/^[+-]/, "");
  const sign = order.startsWith("-") ? -1 : 1;
  return [...users].sort(
    (a, b) => sign * (Number(a[field]) - Number(b[field])),
  );
}

function clerkError(status: number, code: string, message: string): Answer {
  return {
    status,
    body: {
      errors: [{ message, long_message: message, code }],
      clerk_trace_id: `trace_${status}`,
    },
  };
}

function send(response: ServerResponse, answer: Answer) {
  // The SDK parses JSON only when the type is exactly application/json,
  // as Clerk sends it, with no charset.
  response.writeHead(answer.status, {
    "content-type": "application/json",
    ...answer.headers,
  });
  response.end(JSON.stringify(answer.body));
}

function header(request: IncomingMessage, name: string) {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A user in Clerk's Backend API shape, built on the fixture's user
 * object, with a primary email address unless `email` is null.
 */
export function clerkUser(spec: {
  id: string;
  email: string | null;
  firstName?: string | null;
  lastName?: string | null;
  createdAt: number;
}): ClerkUserJson {
  const template = fixtureJson("clerk/user-created.openapi.json").data;
  const emailId = `idn_${spec.id.slice("user_".length)}`;
  const addresses = spec.email
    ? [
        {
          id: emailId,
          object: "email_address",
          email_address: spec.email,
          reserved: false,
          verification: {
            status: "verified",
            strategy: "email_code",
            attempts: null,
            expire_at: null,
          },
          linked_to: [],
          created_at: spec.createdAt,
          updated_at: spec.createdAt,
        },
      ]
    : [];
  return {
    ...template,
    id: spec.id,
    primary_email_address_id: spec.email ? emailId : null,
    email_addresses: addresses,
    first_name: spec.firstName ?? null,
    last_name: spec.lastName ?? null,
    created_at: spec.createdAt,
    updated_at: spec.createdAt + 1,
    last_sign_in_at: null,
    last_active_at: null,
  };
}

/**
 * `count` users, oldest first: every 7th without a first name, every
 * 11th without any email address.
 */
export function clerkUsers(
  count: number,
  prefix = "user_standIn",
): ClerkUserJson[] {
  const start = Date.UTC(2025, 0, 1);
  return Array.from({ length: count }, (_, i) =>
    clerkUser({
      id: `${prefix}${String(i).padStart(5, "0")}`,
      email: i % 11 === 0 ? null : `person${i}@example.test`,
      firstName: i % 7 === 0 ? null : `First${i}`,
      lastName: `Last${i}`,
      createdAt: start + i * 60_000,
    }),
  );
}
