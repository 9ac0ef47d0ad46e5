import Stripe from "stripe";
import { ConfigError } from "../errors";

export type StripeSettings = {
  secretKey: string | undefined;
  /** Offline and in tests: the local stand-in, e.g. http://localhost:12111. */
  apiUrl?: string;
};

const clients = new Map<string, Stripe>();

/**
 * One client per key and address, made on first use. The key is checked
 * for shape so a pasted publishable key fails at start, by name.
 */
export function stripeClient(settings: StripeSettings): Stripe {
  const { secretKey, apiUrl } = settings;
  if (!secretKey) {
    throw new ConfigError("STRIPE_SECRET_KEY is not set", ["STRIPE_SECRET_KEY"]);
  }
  if (!/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(secretKey)) {
    throw new ConfigError(
      "STRIPE_SECRET_KEY is malformed: expected sk_test_..., sk_live_... or a restricted rk_ key",
      ["STRIPE_SECRET_KEY"],
    );
  }
  const cacheKey = `${secretKey} ${apiUrl ?? ""}`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = new Stripe(secretKey, {
      ...address(apiUrl),
      maxNetworkRetries: 2,
      timeout: 10_000,
      appInfo: { name: "signup-provisioning" },
    });
    clients.set(cacheKey, client);
  }
  return client;
}

function address(apiUrl: string | undefined) {
  if (!apiUrl) return {};
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new ConfigError("STRIPE_API_URL is not a URL", ["STRIPE_API_URL"]);
  }
  const protocol = url.protocol === "http:" ? "http" : "https";
  return {
    host: url.hostname,
    port: Number(url.port) || (protocol === "http" ? 80 : 443),
    protocol,
  } as const;
}
