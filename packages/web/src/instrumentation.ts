/**
 * Runs once when the server starts, before Clerk's modules load. SST gives
 * the deployed server its bound secrets only as `SST_Secret_value_<NAME>`
 * (filled in at deploy, see stacks/web.ts), while Clerk reads the plain
 * names; offline, the plain names are set directly and win.
 */
export function register() {
  for (const name of ["CLERK_SECRET_KEY", "CLERK_PUBLISHABLE_KEY"]) {
    process.env[name] ??= process.env[`SST_Secret_value_${name}`];
  }
}
