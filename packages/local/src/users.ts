import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { newId } from "./clerk-offline";

export type LocalUser = {
  userId: string;
  email: string;
  firstName?: string;
  lastName?: string;
  createdAt: number;
};

/**
 * The local stand-in's user list: what Clerk would hold. Kept in `file`
 * when given, so `/login` works after a restart that kept the customers.
 */
export function localUsers(file?: string) {
  const users = new Map<string, LocalUser>(
    file && existsSync(file)
      ? Object.entries(JSON.parse(readFileSync(file, "utf8")))
      : [],
  );
  const save = () => {
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(Object.fromEntries(users), null, 2));
  };
  return {
    byEmail(email: string): LocalUser | undefined {
      return users.get(email.toLowerCase());
    },
    create(profile: Omit<LocalUser, "userId" | "createdAt">): LocalUser {
      const user = {
        ...profile,
        userId: newId("user"),
        createdAt: Date.now(),
      };
      users.set(profile.email.toLowerCase(), user);
      save();
      return user;
    },
  };
}

export type LocalUsers = ReturnType<typeof localUsers>;

/** A `user.created` event in Clerk's published shape for a local user. */
export function userCreatedEvent(user: LocalUser) {
  const emailId = newId("idn");
  return {
    data: {
      birthday: "",
      created_at: user.createdAt,
      email_addresses: [
        {
          email_address: user.email,
          id: emailId,
          linked_to: [],
          object: "email_address",
          verification: { status: "verified", strategy: "email_code" },
        },
      ],
      external_accounts: [],
      external_id: null,
      first_name: user.firstName ?? null,
      gender: "",
      id: user.userId,
      image_url: "",
      last_name: user.lastName ?? null,
      last_sign_in_at: user.createdAt,
      object: "user",
      password_enabled: false,
      phone_numbers: [],
      primary_email_address_id: emailId,
      primary_phone_number_id: null,
      primary_web3_wallet_id: null,
      private_metadata: {},
      profile_image_url: "",
      public_metadata: {},
      two_factor_enabled: false,
      unsafe_metadata: {},
      updated_at: user.createdAt,
      username: null,
      web3_wallets: [],
    },
    instance_id: "ins_offline",
    object: "event",
    timestamp: user.createdAt,
    type: "user.created",
  };
}
