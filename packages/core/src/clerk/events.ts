import { z } from "zod";
import {
  maxEmailLength,
  maxNameLength,
  UserId,
  type Profile,
} from "../customer/schema";

const EmailAddress = z.object({
  id: z.string(),
  email_address: z.string().max(maxEmailLength),
});

/** The part of Clerk's user object the product reads; the rest is dropped. */
const ClerkUser = z.object({
  id: UserId,
  first_name: z.string().max(maxNameLength).nullish(),
  last_name: z.string().max(maxNameLength).nullish(),
  primary_email_address_id: z.string().nullish(),
  email_addresses: z.array(EmailAddress).default([]),
  /** Epoch milliseconds in every Clerk source. */
  updated_at: z.number().int().nonnegative(),
});

const UserCreated = z.object({
  type: z.literal("user.created"),
  data: ClerkUser,
});

const UserUpdated = z.object({
  type: z.literal("user.updated"),
  data: ClerkUser,
});

const UserDeleted = z.object({
  type: z.literal("user.deleted"),
  data: z.object({ id: UserId }),
});

export const ClerkEvent = z.discriminatedUnion("type", [
  UserCreated,
  UserUpdated,
  UserDeleted,
]);

export type ClerkEvent = z.infer<typeof ClerkEvent>;
export type ClerkUser = z.infer<typeof ClerkUser>;

export const supportedTypes: readonly string[] = ClerkEvent.options.map(
  (event) => event.shape.type.value,
);

/**
 * The profile as stored: the email that `primary_email_address_id` names
 * (wherever it sits in the list, or absent), names exactly as Clerk has
 * them and omitted when null or empty.
 */
export function profileOf(user: ClerkUser): Profile {
  const primary = user.email_addresses.find(
    (address) => address.id === user.primary_email_address_id,
  );
  return {
    email: primary?.email_address || undefined,
    firstName: user.first_name || undefined,
    lastName: user.last_name || undefined,
  };
}
