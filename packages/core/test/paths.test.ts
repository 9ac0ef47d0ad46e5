import { describe, expect, it } from "vitest";
import { safeReturnPath } from "../src/paths/index.js";

describe("the return path after sign-up or sign-in", () => {
  it.each(["/checkout", "/dashboard/billing", "/pricing?plan=pro"])(
    "keeps the site path %s",
    (path) => {
      expect(safeReturnPath(path)).toBe(path);
    },
  );

  it.each([
    undefined,
    "",
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "checkout",
    "/dash board",
    `/${"a".repeat(600)}`,
  ])("falls back to the dashboard for %j", (path) => {
    expect(safeReturnPath(path)).toBe("/dashboard");
  });
});
