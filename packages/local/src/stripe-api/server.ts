import type {
  IncomingHttpHeaders,
  IncomingMessage,
  ServerResponse,
} from "node:http";
import { ApiError, invalid } from "./errors";
import { FormError, parseForm, type Form } from "./form";
import { apiVersionFor, newId, type SubscriptionShape } from "./objects";
import { answerPage } from "./pages";
import { routes } from "./routes";
import type { State } from "./state";

export type Incoming = {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
};

export type Reply = {
  status: number;
  headers?: Record<string, string>;
  body: string;
};

export type ApiRequest = {
  method: string;
  path: string;
  idempotencyKey?: string;
  replayed: boolean;
};

const maxBodyBytes = 1024 * 1024;

/**
 * `/v1/*` as Stripe answers it: an API key, idempotent POSTs, a
 * `Request-Id` on every answer. Every request is logged so that a test
 * can count what the product asked for.
 */
export function stripeApi(
  state: State,
  options: { secretKey: string; shape: SubscriptionShape },
) {
  const requests: ApiRequest[] = [];
  const remembered = new Map<string, { fingerprint: string; reply: Reply }>();

  function handle(request: Incoming): Reply {
    const { method } = request;
    const path = request.url.pathname;
    const requestId = newId("req_", 14);
    const key =
      method === "POST" ? header(request, "idempotency-key") : undefined;
    const logged: ApiRequest = { method, path, replayed: false };
    if (key !== undefined) logged.idempotencyKey = key;
    requests.push(logged);

    const answer = (): Reply => {
      authenticate(header(request, "authorization"), options.secretKey);
      const form = parseForm(
        method === "POST" ? request.body : request.url.search.slice(1),
      );
      if (key === undefined) return run(method, path, form, requestId, null);
      if (key.length > 255) {
        throw invalid("Idempotency-Key is longer than 255 characters.");
      }
      const fingerprint = JSON.stringify([method, path, form]);
      const earlier = remembered.get(key);
      if (earlier && earlier.fingerprint !== fingerprint) {
        throw new ApiError(
          400,
          "idempotency_error",
          `Idempotency key ${key} was first used with other parameters ` +
            "or another endpoint; use a new key for a new request.",
        );
      }
      if (earlier) {
        logged.replayed = true;
        const replayed = { "idempotent-replayed": "true" };
        return { ...earlier.reply, headers: replayed };
      }
      const reply = run(method, path, form, requestId, key);
      // Stripe keeps a result once the endpoint ran; a request refused
      // for its parameters may be sent again, corrected, with its key.
      if (reply.status !== 400) remembered.set(key, { fingerprint, reply });
      return reply;
    };

    const reply = attempt(answer);
    return {
      ...reply,
      headers: {
        "content-type": "application/json",
        "request-id": requestId,
        "stripe-version":
          header(request, "stripe-version") ?? apiVersionFor(options.shape),
        ...(key === undefined ? {} : { "idempotency-key": key }),
        ...reply.headers,
      },
    };
  }

  function run(
    method: string,
    path: string,
    form: Form,
    requestId: string,
    idempotencyKey: string | null,
  ): Reply {
    return attempt(() => {
      const route = routes.find(
        (candidate) => candidate.method === method && candidate.path.test(path),
      );
      if (!route) {
        throw new ApiError(
          404,
          "invalid_request_error",
          `Unrecognized request URL (${method}: ${path}).`,
        );
      }
      const id = route.path.exec(path)?.[1] ?? "";
      const origin = { requestId, idempotencyKey };
      const object = state.during(origin, () => route.run(form, id, state));
      return { status: 200, body: JSON.stringify(object, null, 2) };
    });
  }

  return { handle, requests };
}

export type StripeApi = ReturnType<typeof stripeApi>;

function attempt(work: () => Reply): Reply {
  try {
    return work();
  } catch (error) {
    const known =
      error instanceof ApiError
        ? error
        : error instanceof FormError
          ? invalid(error.message, error.param)
          : undefined;
    if (known) {
      return { status: known.status, body: JSON.stringify(known.body()) };
    }
    console.error("stripe stand-in error", String(error));
    const failure = new ApiError(500, "api_error", "The stand-in failed.");
    return { status: 500, body: JSON.stringify(failure.body()) };
  }
}

/** The SDK sends `Bearer <key>`; curl's `-u key:` sends Basic. */
function authenticate(authorization: string | undefined, secretKey: string) {
  const [scheme, credentials = ""] = (authorization ?? "").split(" ");
  const key =
    scheme === "Bearer"
      ? credentials
      : scheme === "Basic"
        ? Buffer.from(credentials, "base64").toString().split(":")[0]
        : undefined;
  if (!key) {
    throw new ApiError(
      401,
      "invalid_request_error",
      "You did not provide an API key: send `Authorization: Bearer <key>`.",
    );
  }
  if (key !== secretKey) {
    const shown = `${key.slice(0, 8)}****${key.slice(-4)}`;
    throw new ApiError(
      401,
      "invalid_request_error",
      `Invalid API Key provided: ${shown}`,
      { code: "api_key_invalid" },
    );
  }
}

function header(request: Incoming, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Each request is read in full, then handled synchronously, so no two
 * ever interleave: of two concurrent POSTs with one idempotency key, the
 * second gets the first's result. (Stripe answers the second 409 while the
 * first runs and the SDK retries it, to the same end.) `afterChange` runs
 * before the answer is sent, after any request that may have changed
 * something: every one but a GET or HEAD.
 */
export function requestListener(
  state: State,
  api: StripeApi,
  afterChange: () => void = () => {},
) {
  return (request: IncomingMessage, response: ServerResponse) => {
    readBody(request)
      .then((body) => {
        const incoming: Incoming = {
          method: request.method ?? "GET",
          url: new URL(request.url ?? "/", "http://localhost"),
          headers: request.headers,
          body,
        };
        const reply = incoming.url.pathname.startsWith("/v1/")
          ? api.handle(incoming)
          : answerPage(incoming, state);
        if (incoming.method !== "GET" && incoming.method !== "HEAD") {
          afterChange();
        }
        send(response, reply);
      })
      .catch((error: unknown) => {
        const tooLarge = error instanceof BodyTooLarge;
        if (!tooLarge) console.error("stripe stand-in error", String(error));
        send(response, {
          status: tooLarge ? 413 : 500,
          headers: { connection: "close" },
          body: tooLarge ? "Request body too large" : "Internal error",
        });
      });
  };
}

class BodyTooLarge extends Error {
  override name = "BodyTooLarge";
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    request.on("end", () =>
      size > maxBodyBytes
        ? reject(new BodyTooLarge())
        : resolve(Buffer.concat(chunks).toString("utf8")),
    );
    request.on("error", reject);
  });
}

function send(response: ServerResponse, reply: Reply) {
  if (response.headersSent) return response.end();
  response.writeHead(reply.status, reply.headers);
  response.end(reply.body);
}
