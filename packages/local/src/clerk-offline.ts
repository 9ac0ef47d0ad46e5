import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * What the site needs to run Clerk's real server code with no network:
 * a production-form publishable key (the `pk_test_` form would send
 * browsers to Clerk for a dev-browser cookie), any secret key, and the
 * PEM public key that lets Clerk verify session tokens without JWKS.
 */
export type OfflineClerk = {
  publishableKey: string;
  secretKey: string;
  jwtKey: string;
  mintSession(userId: string, sessionId: string): Session;
  /** The claims of a token this stand-in signed, or undefined. */
  verifiedClaims(token: string): Claims | undefined;
};

export type Claims = { sub: string; sid: string; exp: number };

export type Session = { token: string; issuedAt: number; expiresAt: number };

/** Tokens live an hour; the local front re-mints them before they end. */
export const sessionSeconds = 60 * 60;

const frontendHost = "clerk.offline.test";

/**
 * Loads the signing key from `keyFile` (so sessions survive a restart),
 * or makes a new RSA-2048 key when there is none or no file is given.
 */
export function offlineClerk(origin: string, keyFile?: string): OfflineClerk {
  const privatePem = loadOrCreateKey(keyFile);
  const privateKey = createPrivateKey(privatePem);
  const jwtKey = createPublicKey(privateKey)
    .export({ type: "spki", format: "pem" })
    .toString();
  return {
    publishableKey: `pk_live_${Buffer.from(`${frontendHost}$`).toString(
      "base64",
    )}`,
    secretKey: "sk_live_offline",
    jwtKey,
    mintSession(userId, sessionId) {
      const issuedAt = Math.floor(Date.now() / 1000);
      const claims = {
        sub: userId,
        sid: sessionId,
        iat: issuedAt,
        nbf: issuedAt - 5,
        exp: issuedAt + sessionSeconds,
        azp: origin,
        v: 2,
      };
      const header = { alg: "RS256", typ: "JWT", kid: "offline" };
      const body = `${encode(header)}.${encode(claims)}`;
      const signature = sign("RSA-SHA256", Buffer.from(body), privateKey);
      return {
        token: `${body}.${signature.toString("base64url")}`,
        issuedAt,
        expiresAt: issuedAt + sessionSeconds,
      };
    },
    verifiedClaims: (token) => verifiedClaims(token, privateKey),
  };
}

function verifiedClaims(token: string, key: KeyObject): Claims | undefined {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) return undefined;
  const valid = verify(
    "RSA-SHA256",
    Buffer.from(`${header}.${payload}`),
    key,
    Buffer.from(signature, "base64url"),
  );
  if (!valid) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const { sub, sid, exp } = claims;
    if (typeof sub !== "string" || typeof sid !== "string") return undefined;
    return typeof exp === "number" ? { sub, sid, exp } : undefined;
  } catch {
    return undefined;
  }
}

export function newId(prefix: string): string {
  const alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const bytes = randomBytes(27);
  const id = [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
  return `${prefix}_${id}`;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function loadOrCreateKey(keyFile?: string): string {
  if (keyFile && existsSync(keyFile)) return readFileSync(keyFile, "utf8");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  if (keyFile) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, pem, { mode: 0o600 });
  }
  return pem;
}
