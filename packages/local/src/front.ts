import {
  createServer,
  request as forward,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { safeReturnPath } from "@app/core/paths";
import { z } from "zod";
import { newId, type OfflineClerk } from "./clerk-offline";
import { deliver } from "./deliver";
import { userCreatedEvent, type LocalUser, type LocalUsers } from "./users";

const SignUpForm = z.object({
  email: z.email().max(320),
  firstName: z.string().trim().max(256).optional(),
  lastName: z.string().trim().max(256).optional(),
  webhook: z
    .string()
    .regex(/^(delay:\d{1,6}|never|twice)$/)
    .default("delay:3000"),
  redirect_url: z.string().optional(),
});

const SignInForm = z.object({
  email: z.email().max(320),
  redirect_url: z.string().optional(),
});

/** Re-mint a session this close to its end, so it never expires. */
const refreshWithinSeconds = 5 * 60;

export type FrontOptions = {
  port: number;
  nextUrl: string;
  clerk: OfflineClerk;
  users: LocalUsers;
  webhook: { url: string; secret: string };
};

/**
 * The site's address offline: a local stand-in for Clerk's sign-up and
 * sign-in (`/local/*`), and a reverse proxy to Next for everything else
 * that keeps local sessions fresh, as Clerk's browser script would.
 */
export async function startFront(options: FrontOptions) {
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((request, response) => {
    route(request, response, options, timers).catch((error) => {
      console.error("local front error", String(error));
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "localhost", resolve);
  });
  return {
    url: `http://localhost:${options.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  options: FrontOptions,
  timers: Set<NodeJS.Timeout>,
) {
  const path = pathOf(request.url);
  if (path === undefined) {
    response.writeHead(400);
    return response.end();
  }
  if (request.method === "POST" && path === "/local/sign-up") {
    const form = SignUpForm.safeParse(await readForm(request));
    if (!form.success) return redirect(response, "/signup?error=invalid");
    const { webhook, redirect_url, ...profile } = form.data;
    if (options.users.byEmail(profile.email)) {
      return redirect(response, "/login?error=exists");
    }
    const user = options.users.create({
      email: profile.email,
      firstName: profile.firstName || undefined,
      lastName: profile.lastName || undefined,
    });
    scheduleWebhook(user, webhook, options, timers);
    console.log(
      JSON.stringify({ message: "local sign-up", userId: user.userId, webhook }),
    );
    return signIn(response, user, options.clerk, redirect_url);
  }
  if (request.method === "POST" && path === "/local/sign-in") {
    const form = SignInForm.safeParse(await readForm(request));
    const user = form.success && options.users.byEmail(form.data.email);
    if (!user) return redirect(response, "/login?error=unknown-user");
    return signIn(response, user, options.clerk, form.data.redirect_url);
  }
  if (request.method === "POST" && path === "/local/sign-out") {
    return redirect(response, "/", [
      "__session=; Path=/; Max-Age=0; SameSite=Lax",
      "__client_uat=0; Path=/; SameSite=Lax",
    ]);
  }
  return proxy(request, response, options);
}

function signIn(
  response: ServerResponse,
  user: LocalUser,
  clerk: OfflineClerk,
  returnTo: string | undefined,
) {
  const session = clerk.mintSession(user.userId, newId("sess"));
  return redirect(response, safeReturnPath(returnTo), sessionCookies(session));
}

function sessionCookies(session: { token: string; issuedAt: number }) {
  // Clerk treats a session as current only when __client_uat is not
  // later than the token's iat; one second earlier is always safe.
  return [
    `__session=${session.token}; Path=/; SameSite=Lax`,
    `__client_uat=${session.issuedAt - 1}; Path=/; SameSite=Lax`,
  ];
}

function scheduleWebhook(
  user: LocalUser,
  option: string,
  options: FrontOptions,
  timers: Set<NodeJS.Timeout>,
) {
  if (option === "never") return;
  const body = JSON.stringify(userCreatedEvent(user));
  const id = newId("msg");
  const delays =
    option === "twice" ? [3_000, 3_500] : [Number(option.split(":")[1])];
  for (const delay of delays) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      deliver({ ...options.webhook, body, id })
        .then((sent) =>
          console.log(
            JSON.stringify({
              message: "local webhook sent",
              userId: user.userId,
              svixId: id,
              status: sent.status,
            }),
          ),
        )
        .catch((error) => console.error("local webhook failed", String(error)));
    }, delay);
    timers.add(timer);
  }
}

/** Forwards to Next, re-minting a local session that is about to end. */
function proxy(
  request: IncomingMessage,
  response: ServerResponse,
  options: FrontOptions,
) {
  const headers = { ...request.headers };
  // Arriving from another site (back from the local Stripe's checkout or
  // portal), Clerk would first send the browser to its Frontend API to
  // sync the session across domains. Offline there is no Frontend API and
  // only one domain, so the front withholds the cross-site referrer.
  if (headers.referer && !sameOrigin(headers.referer, headers.host)) {
    delete headers.referer;
  }
  const setCookies: string[] = [];
  const token = cookie(request.headers.cookie, "__session");
  const claims = token ? options.clerk.verifiedClaims(token) : undefined;
  const now = Math.floor(Date.now() / 1000);
  if (claims && claims.exp - now < refreshWithinSeconds) {
    const session = options.clerk.mintSession(claims.sub, claims.sid);
    const fresh = sessionCookies(session);
    setCookies.push(...fresh);
    headers.cookie = replaceCookies(request.headers.cookie ?? "", {
      __session: session.token,
      __client_uat: String(session.issuedAt - 1),
    });
  }
  // Always Next's origin: a request target of `//host/...` or
  // `http://host/...` must not turn the front into an open proxy.
  const next = new URL(options.nextUrl);
  return new Promise<void>((resolve, reject) => {
    const upstream = forward(
      {
        hostname: next.hostname,
        port: next.port,
        path: request.url ?? "/",
        method: request.method,
        headers,
      },
      (reply) => {
        const replyHeaders = { ...reply.headers };
        if (setCookies.length) {
          const existing = replyHeaders["set-cookie"] ?? [];
          replyHeaders["set-cookie"] = [...existing, ...setCookies];
        }
        response.writeHead(reply.statusCode ?? 502, replyHeaders);
        reply.pipe(response);
        reply.on("end", resolve);
        reply.on("error", reject);
      },
    );
    upstream.on("error", reject);
    request.pipe(upstream);
  });
}

function sameOrigin(referer: string, host: string | undefined): boolean {
  try {
    return new URL(referer).host === host;
  } catch {
    return false;
  }
}

/** The request target's path, or undefined when it is not a URL. */
function pathOf(target = "/"): string | undefined {
  try {
    return new URL(target, "http://localhost").pathname;
  } catch {
    return undefined;
  }
}

function redirect(
  response: ServerResponse,
  location: string,
  cookies: string[] = [],
) {
  response.writeHead(303, {
    location,
    "set-cookie": cookies,
    "cache-control": "no-store",
  });
  response.end();
}

async function readForm(request: IncomingMessage) {
  let body = "";
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 16_384) return {};
  }
  const fields = Object.fromEntries(new URLSearchParams(body));
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== ""),
  );
}

function cookie(header: string | undefined, name: string) {
  for (const part of (header ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

function replaceCookies(header: string, values: Record<string, string>) {
  const kept = header
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part && !(part.split("=")[0]! in values));
  const fresh = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  return [...kept, ...fresh].join("; ");
}
