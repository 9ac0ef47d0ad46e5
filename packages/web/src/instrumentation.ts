/**
 * Runs once when the server starts, before Clerk's modules load. SST gives
 * the deployed server its bound secrets only as `SST_Secret_value_<NAME>`
 * (filled in at deploy, see stacks/web.ts) and its parameters as
 * `SST_Parameter_value_<NAME>`, while Clerk and this code read the plain
 * names; offline, the plain names are set directly and win.
 */
export function register() {
  const secrets = ["CLERK_SECRET_KEY", "CLERK_PUBLISHABLE_KEY", "STRIPE_SECRET_KEY"];
  for (const name of secrets) {
    process.env[name] ??= process.env[`SST_Secret_value_${name}`];
  }
  process.env.STRIPE_PRICE_ID ??= process.env.SST_Parameter_value_STRIPE_PRICE_ID;
}
