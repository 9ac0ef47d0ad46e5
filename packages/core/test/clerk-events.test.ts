import { describe, expect, it } from "vitest";
import { ClerkEvent, profileOf } from "../src/clerk/index.js";
import { UserId } from "../src/customer/index.js";
import { fixtureJson } from "../../../test/support/fixtures.js";

const userFixtures = [
  "clerk/user-created.docs.json",
  "clerk/user-created.openapi.json",
  "clerk/user-updated.catalog.json",
  "clerk/user-deleted.openapi.json",
];

function userEvent(overrides: Record<string, unknown>) {
  const event = fixtureJson("clerk/user-created.docs.json");
  return { ...event, data: { ...event.data, ...overrides } };
}

describe("Clerk events", () => {
  it.each(userFixtures)("accepts the fixture %s", (file) => {
    const result = ClerkEvent.safeParse(fixtureJson(file));
    expect(result.success).toBe(true);
  });

  it("takes the email that primary_email_address_id names", () => {
    const event = ClerkEvent.parse(fixtureJson("clerk/user-created.docs.json"));
    if (event.type === "user.deleted") throw new Error("wrong fixture");
    expect(profileOf(event.data)).toEqual({
      email: "fixture.user@example.test",
      firstName: "Fixture",
      lastName: "Person",
    });
  });

  it("leaves the email absent when the list is empty", () => {
    const event = ClerkEvent.parse(
      fixtureJson("clerk/user-created.openapi.json"),
    );
    if (event.type === "user.deleted") throw new Error("wrong fixture");
    expect(profileOf(event.data).email).toBeUndefined();
  });

  it("finds the primary email when it is not first", () => {
    const event = ClerkEvent.parse(
      userEvent({
        email_addresses: [
          { id: "idn_other", email_address: "other@example.test" },
          { id: "idn_main", email_address: "main@example.test" },
        ],
        primary_email_address_id: "idn_main",
      }),
    );
    if (event.type === "user.deleted") throw new Error("wrong type");
    expect(profileOf(event.data).email).toBe("main@example.test");
  });

  it("leaves the email absent when the primary id points at nothing", () => {
    const event = ClerkEvent.parse(
      userEvent({ primary_email_address_id: "idn_missing" }),
    );
    if (event.type === "user.deleted") throw new Error("wrong type");
    expect(profileOf(event.data).email).toBeUndefined();
  });

  it("omits null and empty names and keeps others exactly", () => {
    const event = ClerkEvent.parse(
      userEvent({ first_name: "Zoë Ångström-李", last_name: "" }),
    );
    if (event.type === "user.deleted") throw new Error("wrong type");
    const profile = profileOf(event.data);
    expect(profile.firstName).toBe("Zoë Ångström-李");
    expect("lastName" in profile && profile.lastName).toBeFalsy();
    const nulls = ClerkEvent.parse(
      userEvent({ first_name: null, last_name: null, username: null }),
    );
    if (nulls.type === "user.deleted") throw new Error("wrong type");
    expect(profileOf(nulls.data).firstName).toBeUndefined();
    expect(profileOf(nulls.data).lastName).toBeUndefined();
  });

  it("rejects a user id without the user_ prefix or with its case changed", () => {
    expect(UserId.safeParse("user_29w83sxmDNGwOuEthce5gg56FcC").success).toBe(
      true,
    );
    expect(UserId.safeParse("USER_29w83sxmDNGwOuEthce5gg56FcC").success).toBe(
      false,
    );
    expect(UserId.safeParse("usr_29w83sxm").success).toBe(false);
    expect(UserId.safeParse("user_").success).toBe(false);
    expect(ClerkEvent.safeParse(userEvent({ id: "sess_123" })).success).toBe(
      false,
    );
  });

  it("rejects an event without updated_at", () => {
    expect(
      ClerkEvent.safeParse(userEvent({ updated_at: undefined })).success,
    ).toBe(false);
  });
});
