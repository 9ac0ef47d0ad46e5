import { z } from "zod";

/** Clerk's user id: `user_` then letters and digits, case kept as sent. */
export const UserId = z
  .string()
  .regex(/^user_[A-Za-z0-9]{1,64}$/, "not a Clerk user id (user_...)");

export const Membership = z.enum(["free", "pro"]);
export const CustomerStatus = z.enum(["active", "deleted"]);
export const CreatedBy = z.enum(["webhook", "page", "reconcile"]);

/** Longest values stored; the webhook refuses longer ones with a 400. */
export const maxEmailLength = 320;
export const maxNameLength = 256;

/** What Clerk tells us about a person; every field may be unknown. */
export const Profile = z.object({
  email: z.string().min(1).max(maxEmailLength).optional(),
  firstName: z.string().min(1).max(maxNameLength).optional(),
  lastName: z.string().min(1).max(maxNameLength).optional(),
});

export const Customer = Profile.extend({
  userId: UserId,
  membership: Membership,
  status: CustomerStatus,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: CreatedBy,
  /** Clerk's `updated_at` (epoch ms) of the last profile applied. */
  clerkUpdatedAt: z.number().int().nonnegative().optional(),
  stripeCustomerId: z.string().optional(),
  stripeSubscriptionId: z.string().optional(),
  subscriptionStatus: z.string().optional(),
  currentPeriodEnd: z.iso.datetime().optional(),
  cancelAtPeriodEnd: z.boolean().optional(),
  /** When the Stripe state was read (epoch ms): the Stripe ordering guard. */
  stripeSyncedAt: z.number().int().nonnegative().optional(),
});

export type UserId = z.infer<typeof UserId>;
export type Membership = z.infer<typeof Membership>;
export type CreatedBy = z.infer<typeof CreatedBy>;
export type Profile = z.infer<typeof Profile>;
export type Customer = z.infer<typeof Customer>;

export const profileFields = ["email", "firstName", "lastName"] as const;
