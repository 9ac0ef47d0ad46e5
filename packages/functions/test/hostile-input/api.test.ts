import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApi, type LocalApi } from "../../../local/src/api.js";
import { logLines } from "../../../../test/support/logs.js";
import { freePort } from "../../../../test/support/ports.js";
import { svixHeaders } from "../../../../test/support/webhook.js";
import {
  answeredLine,
  created,
  secret,
  signedBytes,
  storedUser,
  useHostileSetup,
} from "./support.js";

/**
 * The local API front's rows of the hostile-input catalogue
 * (docs/hostile-input.md): packages/local/src/api.ts stands in for API
 * Gateway in front of the real webhook handler. Each case checks its
 * answer, its log line (none when no handler ran) and that the table and
 * the queues are exactly as they were.
 */

const setup = useHostileSetup();
let api: LocalApi;
let apiPort: number;

beforeAll(async () => {
  apiPort = await freePort();
  api = await startApi({
    port: apiPort,
    routes: { "POST /webhooks/clerk": setup.webhook },
    health: async () => ({ test: "ok" }),
  });
});

afterAll(async () => {
  await api?.stop();
});

/** One HTTP/1.1 request written as bytes, and the raw answer. */
function rawRequest(text: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(apiPort, "127.0.0.1", () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(parseAnswer(Buffer.concat(chunks))));
  });
}

type RawAnswer = { status: number; head: string; body: string };

function parseAnswer(raw: Buffer): RawAnswer {
  const text = raw.toString("latin1");
  const [head = "", ...rest] = text.split("\r\n\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  // Chunked bodies from the front hold one chunk: size line, data, 0.
  const body = /transfer-encoding: chunked/i.test(head)
    ? (rest.join("\r\n\r\n").split("\r\n")[1] ?? "")
    : rest.join("\r\n\r\n");
  return { status, head, body };
}

function httpText(
  requestLine: string,
  headers: Array<[string, string]>,
  body = "",
): string {
  const lines = [
    requestLine,
    "Host: 127.0.0.1",
    ...headers.map(([name, value]) => `${name}: ${value}`),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
  ];
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

/** A delivery's Svix headers as name/value pairs, one entry each. */
function svixPairs(body = created) {
  const id = `msg_${randomBytes(8).toString("hex")}`;
  const headers = svixHeaders(secret, id, body);
  return {
    headers,
    pairs: Object.entries(headers) as Array<[string, string]>,
  };
}

const notFound = { message: "Not Found" };

describe("local API front, hostile requests", () => {
  it.each([
    ["GET", "/webhooks/clerk"],
    ["PUT", "/webhooks/clerk"],
    ["PATCH", "/webhooks/clerk"],
    ["DELETE", "/webhooks/clerk"],
    ["POST", "/webhooks/clerk/"],
    ["POST", "/Webhooks/Clerk"],
    ["POST", "/webhooks/%63lerk"],
    ["POST", "//webhooks/clerk"],
    ["POST", "/health"],
  ])(
    "answers 404 to a signed delivery sent as %s %s, before any handler",
    async (method, path) => {
      const { pairs } = svixPairs();
      const text = httpText(
        `${method} ${path} HTTP/1.1`,
        [["Content-Type", "application/json"], ...pairs],
        created,
      );

      const answer = await rawRequest(text);

      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body)).toEqual(notFound);
      expect(logLines()).toEqual([]);
      await setup.expectNothingChanged();
    },
  );

  it.each(["//[", "http://["])(
    "answers 400 to the unparseable request target %s",
    async (target) => {
      const { pairs } = svixPairs();
      const text = httpText(
        `POST ${target} HTTP/1.1`,
        [["Content-Type", "application/json"], ...pairs],
        created,
      );

      const answer = await rawRequest(text);

      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({ message: "Bad Request" });
      expect(logLines()).toEqual([]);
      await setup.expectNothingChanged();
    },
  );

  it.each([
    ["svix-id", 400, "malformed-svix-id", false],
    ["svix-timestamp", 400, "malformed-timestamp", true],
  ] as const)(
    "answers %s sent twice with %i %s, as API Gateway joins the values",
    async (name, status, reason, logsSvixId) => {
      const { headers, pairs } = svixPairs();
      const text = httpText(
        "POST /webhooks/clerk HTTP/1.1",
        [
          ["Content-Type", "application/json"],
          ...pairs,
          [name, name === "svix-id" ? "msg_second" : headers[name]!],
        ],
        created,
      );

      const answer = await rawRequest(text);

      expect(answer.status).toBe(status);
      expect(JSON.parse(answer.body)).toEqual({ error: reason });
      const line = answeredLine();
      expect(line).toMatchObject({ level: "WARN", status, reason });
      expect(line.svixId).toBe(logsSvixId ? headers["svix-id"] : undefined);
      await setup.expectNothingChanged();
    },
  );

  it("answers 401 to svix-signature sent twice, a bad one first", async () => {
    const { headers, pairs } = svixPairs();
    const withoutSignature = pairs.filter(([n]) => n !== "svix-signature");
    const text = httpText(
      "POST /webhooks/clerk HTTP/1.1",
      [
        ["Content-Type", "application/json"],
        ...withoutSignature,
        ["Svix-Signature", "v1,AAAA"],
        ["svix-signature", headers["svix-signature"]!],
      ],
      created,
    );

    const answer = await rawRequest(text);

    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ error: "bad-signature" });
    expect(answeredLine()).toMatchObject({
      status: 401,
      reason: "bad-signature",
      svixId: headers["svix-id"],
    });
    await setup.expectNothingChanged();
  });

  it.each([
    ["two different Content-Length headers", "Content-Length: 3"],
    ["Content-Length beside chunked encoding", "Transfer-Encoding: chunked"],
  ])("answers 400 from the HTTP parser to %s", async (_, extra) => {
    const { pairs } = svixPairs();
    const text = httpText(
      "POST /webhooks/clerk HTTP/1.1",
      [["Content-Type", "application/json"], ...pairs],
      created,
    ).replace("Connection: close", `${extra}\r\nConnection: close`);

    const answer = await rawRequest(text);

    expect(answer.status).toBe(400);
    expect(logLines()).toEqual([]);
    await setup.expectNothingChanged();
  });

  it("answers 413, closes the connection and keeps serving after a body over 10 MB", async () => {
    const { pairs } = svixPairs();
    const size = 10 * 1024 * 1024 + 1;
    // A connection the client would keep open: only the server closes it.
    const head = httpText(
      "POST /webhooks/clerk HTTP/1.1",
      [["Content-Type", "application/json"], ...pairs],
    )
      .replace("Content-Length: 0", `Content-Length: ${size}`)
      .replace("Connection: close", "Connection: keep-alive");

    const answer = await oversizedRequest(head, size);

    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      message: "Request Entity Too Large",
    });
    expect(answer.head).toMatch(/^connection: close$/im);
    expect(logLines()).toEqual([]);
    await setup.expectNothingChanged();
    const health = await fetch(`http://127.0.0.1:${apiPort}/health`);
    expect(health.status).toBe(200);
  });

  it("answers 413 from the handler for a 1 MB body the gateway passes on", async () => {
    const body = " ".repeat(1024 * 1024);
    const { headers, pairs } = svixPairs(body);
    const text = httpText(
      "POST /webhooks/clerk HTTP/1.1",
      [["Content-Type", "application/json"], ...pairs],
      body,
    );

    const answer = await rawRequest(text);

    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: "body-too-large" });
    expect(answeredLine()).toMatchObject({
      status: 413,
      reason: "body-too-large",
      svixId: headers["svix-id"],
    });
    await setup.expectNothingChanged();
  });

  it.each([
    ["application/json", 401, "bad-signature"],
    ["application/octet-stream", 400, "body-not-utf8"],
  ])(
    "answers signed non-UTF-8 bytes declared as %s with %i %s",
    async (type, status, reason) => {
      // As text, the gateway's decoding replaces the bad bytes, so the
      // signature no longer matches; as binary they arrive intact.
      const bytes = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
      const request = signedBytes(bytes);
      const pairs = Object.entries(request.headers).filter(([name]) =>
        name.startsWith("svix-"),
      ) as Array<[string, string]>;
      const head = httpText(
        "POST /webhooks/clerk HTTP/1.1",
        [["Content-Type", type], ...pairs],
      ).replace("Content-Length: 0", `Content-Length: ${bytes.length}`);

      const answer = await rawRequest(
        Buffer.concat([Buffer.from(head, "latin1"), bytes]),
      );

      expect(answer.status).toBe(status);
      expect(JSON.parse(answer.body)).toEqual({ error: reason });
      expect(answeredLine()).toMatchObject({ status, reason });
      await setup.expectNothingChanged();
    },
  );

  it("answers 400 to a signed form body sent as a form", async () => {
    const body = "type=user.deleted&data%5Bid%5D=" + storedUser;
    const { headers, pairs } = svixPairs(body);
    const text = httpText(
      "POST /webhooks/clerk HTTP/1.1",
      [["Content-Type", "application/x-www-form-urlencoded"], ...pairs],
      body,
    );

    const answer = await rawRequest(text);

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error: "body-not-json" });
    expect(answeredLine()).toMatchObject({
      reason: "body-not-json",
      svixId: headers["svix-id"],
    });
    await setup.expectNothingChanged();
  });
});

/**
 * Writes the head, then the body in chunks until the server has answered
 * and closed the connection, as a client that does not wait would.
 */
function oversizedRequest(head: string, size: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(apiPort, "127.0.0.1");
    const chunks: Buffer[] = [];
    const chunk = Buffer.alloc(64 * 1024, " ");
    let sent = 0;
    const pump = () => {
      while (sent < size && !socket.destroyed) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!socket.write(part)) return socket.once("drain", pump);
      }
    };
    socket.on("connect", () => {
      socket.write(head);
      pump();
    });
    socket.on("data", (data) => chunks.push(data));
    // The server closes mid-upload; the reset that may follow is expected.
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(parseAnswer(Buffer.concat(chunks))));
  });
}

