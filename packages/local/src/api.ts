import { randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";

export type RouteHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

export type LocalApi = { url: string; server: Server; stop(): Promise<void> };

/** API Gateway refuses HTTP API payloads over 10 MB before any Lambda. */
const gatewayLimitBytes = 10 * 1024 * 1024;

/** Content types that API Gateway passes as text rather than base64. */
const textType = /^(text\/|application\/(json|xml|x-www-form-urlencoded))/i;

/**
 * A local stand-in for the HTTP API: each request becomes an API Gateway
 * payload v2 event for the real handler, and its result becomes the reply.
 */
export async function startApi(options: {
  port: number;
  routes: Record<string, RouteHandler>;
  health: () => Promise<Record<string, string>>;
}): Promise<LocalApi> {
  const server = createServer((request, response) => {
    serve(request, response, options).catch((error) => {
      reply(response, 500, { error: "local-api-failed" });
      console.error("local api error", error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${options.port}`,
    server,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  options: {
    routes: Record<string, RouteHandler>;
    health: () => Promise<Record<string, string>>;
  },
) {
  const url = parseTarget(request.url);
  if (!url) return reply(response, 400, { message: "Bad Request" });
  const routeKey = `${request.method} ${url.pathname}`;
  if (routeKey === "GET /health") {
    const parts = await options.health();
    const ready = Object.values(parts).every((state) => state === "ok");
    return reply(response, ready ? 200 : 503, parts);
  }
  const handler = options.routes[routeKey];
  if (!handler) return reply(response, 404, { message: "Not Found" });
  // Held now: a body read only in part leaves request.socket null.
  const socket = request.socket;
  const body = await readBody(request);
  if (body === undefined) {
    // The rest of the body is never read, so the connection cannot be
    // reused for another request.
    response.setHeader("connection", "close");
    response.once("finish", () => socket.destroy());
    return reply(response, 413, { message: "Request Entity Too Large" });
  }
  const result = await handler(toEvent(request, url, routeKey, body));
  response.writeHead(result.statusCode ?? 200, result.headers as never);
  response.end(result.body ?? "");
}

/** The request target as a URL, or undefined when it cannot be one. */
function parseTarget(target = "/"): URL | undefined {
  try {
    return new URL(target, "http://localhost");
  } catch {
    return undefined;
  }
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  routeKey: string,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  // Like API Gateway: lower-case names, repeated headers joined by commas.
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i]!.toLowerCase();
    const value = request.rawHeaders[i + 1]!;
    headers[name] = headers[name] ? `${headers[name]},${value}` : value;
  }
  const isText = textType.test(headers["content-type"] ?? "");
  const now = new Date();
  return {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: "127.0.0.1",
      domainPrefix: "local",
      http: {
        method: request.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? body.toString(isText ? "utf8" : "base64") : undefined,
    isBase64Encoded: body.length > 0 && !isText,
  };
}

async function readBody(request: IncomingMessage) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > gatewayLimitBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function reply(response: ServerResponse, status: number, body: unknown) {
  if (response.headersSent) return response.end();
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
