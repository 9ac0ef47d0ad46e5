import {
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";

/**
 * How the proxy answers: `forward` passes requests on; `reset` tears the
 * connection down with a TCP reset, as a dead network path does; `error`
 * answers DynamoDB's own 500 InternalServerError.
 */
export type ProxyMode = "forward" | "reset" | "error";

export type RecordedRequest = {
  /** The DynamoDB operation from `X-Amz-Target`, e.g. `GetItem`. */
  operation: string;
  /** The JSON request body, or the raw text if it was not JSON. */
  body: unknown;
  /** What the proxy did with it. */
  handled: ProxyMode;
};

export type DynamoProxy = {
  endpoint: string;
  /** Every request received since start or the last `clear()`. */
  requests(): RecordedRequest[];
  clear(): void;
  setMode(mode: ProxyMode): void;
  stop(): Promise<void>;
};

/** The SDK sends JSON 1.0 bodies; a few MB is far above any real one. */
const maxBodyBytes = 16 * 1024 * 1024;

/**
 * An HTTP proxy in front of DynamoDB Local that records what a client
 * asked for and can be made to fail, so tests can see exactly which
 * operations the site sends and how it behaves when storage is down.
 */
export async function startDynamoProxy(options: {
  /** DynamoDB Local's endpoint, e.g. `http://127.0.0.1:8000`. */
  target: string;
  /** 0 or absent picks a free port. */
  port?: number;
}): Promise<DynamoProxy> {
  const recorded: RecordedRequest[] = [];
  let mode: ProxyMode = "forward";
  const server = createServer((request, response) => {
    handle(request, response).catch(() => request.socket.destroy());
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const body = await readBody(request);
    const handled = mode;
    recorded.push({
      operation: operation(request),
      body: parse(body),
      handled,
    });
    if (handled === "reset") request.socket.resetAndDestroy();
    else if (handled === "error") internalServerError(response);
    else await pass(request, body, response, options.target);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => [...recorded],
    clear: () => void recorded.splice(0),
    // Read per request, so a switch applies to keep-alive connections at
    // once; closing them here would only make clients race the close.
    setMode: (next) => void (mode = next),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function operation(request: IncomingMessage): string {
  const target = request.headers["x-amz-target"];
  const value = Array.isArray(target) ? target[0] : target;
  return value?.split(".").pop() ?? "";
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parse(body: Buffer): unknown {
  const text = body.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The shape DynamoDB gives a 500; the SDK retries it, then throws. */
function internalServerError(response: ServerResponse) {
  response.writeHead(500, {
    "content-type": "application/x-amz-json-1.0",
    "x-amzn-errortype": "InternalServerError",
  });
  response.end(
    JSON.stringify({
      __type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
      message: "Internal server error (local fault injection)",
    }),
  );
}

function pass(
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
  target: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = forward(
      new URL(request.url ?? "/", target),
      { method: request.method, headers: request.headers },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
        reply.on("end", resolve);
        reply.on("error", reject);
      },
    );
    upstream.on("error", reject);
    upstream.end(body);
  });
}
