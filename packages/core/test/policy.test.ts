import { describe, expect, it } from "vitest";
import type { Customer } from "../src/customer/index.js";
import { canUse, shouldOfferUpgrade } from "../src/policy/index.js";

const base: Customer = {
  userId: "user_policyTest",
  membership: "free",
  status: "active",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  createdBy: "page",
};

describe("policy", () => {
  it("lets a new free user in but keeps pro parts closed", () => {
    expect(canUse(base, "reports")).toBe(false);
    expect(shouldOfferUpgrade(base)).toBe(true);
  });

  it("opens pro parts the moment the record says pro", () => {
    const pro = { ...base, membership: "pro" as const };
    expect(canUse(pro, "reports")).toBe(true);
    expect(canUse(pro, "exports")).toBe(true);
    expect(shouldOfferUpgrade(pro)).toBe(false);
  });

  it("opens nothing and offers nothing to a deleted user", () => {
    const gone = { ...base, membership: "pro" as const, status: "deleted" as const };
    expect(canUse(gone, "reports")).toBe(false);
    expect(shouldOfferUpgrade(gone)).toBe(false);
  });
});
