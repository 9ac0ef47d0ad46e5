import { existsSync } from "node:fs";
import { newId, offlineClerk } from "@app/local/clerk-offline";
import type { BenchStack } from "./stack";

/**
 * Mints Clerk session tokens the running site accepts: the offline
 * stand-in's signing key is in the stack's data directory, and the site
 * verifies tokens with its public half, as Clerk's middleware does.
 */
export function siteSessions(stack: BenchStack) {
  if (!stack.siteUrl || !existsSync(stack.clerkKeyFile)) {
    throw new Error("the stack was started without the site");
  }
  const clerk = offlineClerk(stack.siteUrl, stack.clerkKeyFile);
  return {
    /** A user Clerk has just created: no record exists for them yet. */
    newUser(): { userId: string; cookie: string } {
      const userId = newId("user");
      const session = clerk.mintSession(userId, newId("sess"));
      // Clerk takes a session as current only when __client_uat is not
      // later than the token's iat.
      const cookie =
        `__session=${session.token}; ` +
        `__client_uat=${session.issuedAt - 1}`;
      return { userId, cookie };
    },
  };
}
