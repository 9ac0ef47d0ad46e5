import { describe, expect, it } from "vitest";
import { membershipFor } from "../src/stripe/index.js";

describe("membership from a subscription status", () => {
  it.each([
    ["active", "pro"],
    ["trialing", "pro"],
    ["past_due", "pro"],
    ["unpaid", "free"],
    ["incomplete", "free"],
    ["incomplete_expired", "free"],
    ["canceled", "free"],
    ["paused", "free"],
  ])("%s means %s", (status, membership) => {
    expect(membershipFor(status)).toBe(membership);
  });

  it.each(["on_hold", "", "constructor", "__proto__", "toString", "ACTIVE"])(
    "%j is unknown and decides nothing",
    (status) => {
      expect(membershipFor(status)).toBeUndefined();
    },
  );
});
