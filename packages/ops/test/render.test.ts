import { describe, expect, it } from "vitest";
import { duration, fields, table } from "../src/render.js";

describe("duration", () => {
  it.each([
    [0, "0s"],
    [59, "59s"],
    [75, "1m 15s"],
    [3_600, "1h"],
    [3_661, "1h 1m"],
    [93_600, "1d 2h"],
    [86_401, "1d"],
    [undefined, "-"],
  ])("shows %s seconds as %s", (seconds, shown) => {
    expect(duration(seconds)).toBe(shown);
  });
});

describe("table", () => {
  it("pads every column to its widest cell and marks gaps with -", () => {
    const text = table(
      [
        ["id", "ID"],
        ["count", "COUNT"],
      ],
      [
        { id: "a-long-id", count: 5 },
        { id: "b", count: undefined },
      ],
    );
    expect(text.split("\n")).toEqual([
      "ID         COUNT",
      "a-long-id  5",
      "b          -",
    ]);
  });
});

describe("fields", () => {
  it("aligns values after the longest key", () => {
    expect(fields({ userId: "user_1", at: 3 })).toBe(
      "userId  user_1\nat      3",
    );
  });
});
