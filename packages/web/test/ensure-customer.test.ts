import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UnavailableError } from "@app/core/errors";
import { ensureForPage } from "../src/lib/ensure-customer.js";
import { useLocalAws } from "../../../test/support/aws.js";
import { clearLogs } from "../../../test/support/logs.js";
import {
  counts,
  metricDocuments,
  otherOutput,
} from "../../../test/support/metrics.js";

let sequence = 0;

beforeAll(async () => {
  await useLocalAws();
});

beforeEach(() => clearLogs());

function newUserId() {
  sequence += 1;
  return `user_siteMetrics${Date.now()}x${sequence}`;
}

const createdByPage = {
  namespace: "SignupProvisioning",
  metric: "CustomerCreated",
  value: 1,
  dimensionSets: [["service"], ["service", "createdBy"]],
  dimensions: { service: "web", createdBy: "page" },
};

describe("the site's get-or-create", () => {
  it("counts a record it creates as CustomerCreated by page", async () => {
    const { outcome } = await ensureForPage(newUserId());
    expect(outcome).toBe("created");
    expect(counts()).toEqual([createdByPage]);
  });

  it("counts StorageUnavailable when storage fails, and rethrows", async () => {
    const table = process.env.CUSTOMERS_TABLE;
    process.env.CUSTOMERS_TABLE = "no-such-table";
    try {
      await expect(ensureForPage(newUserId())).rejects.toThrow(
        UnavailableError,
      );
    } finally {
      process.env.CUSTOMERS_TABLE = table;
    }
    expect(counts()).toEqual([
      {
        namespace: "SignupProvisioning",
        metric: "StorageUnavailable",
        value: 1,
        dimensionSets: [["service"]],
        dimensions: { service: "web" },
      },
    ]);
  });

  it("counts nothing when the record exists", async () => {
    const userId = newUserId();
    await ensureForPage(userId);
    clearLogs();
    const { outcome } = await ensureForPage(userId);
    expect(outcome).toBe("existing");
    expect(metricDocuments()).toEqual([]);
  });

  it("counts one creation when five requests race", async () => {
    const userId = newUserId();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => ensureForPage(userId)),
    );
    const created = outcomes.filter((o) => o.outcome === "created");
    expect(created).toHaveLength(1);
    expect(counts()).toEqual([createdByPage]);
  });

  it("publishes the count without the user id or any warning", async () => {
    const userId = newUserId();
    await ensureForPage(userId);
    expect(JSON.stringify(metricDocuments())).not.toContain(userId);
    expect(otherOutput()).toEqual([]);
  });
});
