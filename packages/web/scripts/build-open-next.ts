import { build, ensureBuilt } from "./open-next-builds.js";

/**
 * `deploy` or `local` runs that build; `stale` runs whichever is missing
 * or older than the site's sources (both when the local one is).
 */
const usage = "usage: build-open-next.ts deploy | local | stale";
const [which] = process.argv.slice(2);

if (which === "deploy" || which === "local") build(which, "terminal");
else if (which === "stale") ensureBuilt((line) => console.log(line));
else {
  console.error(usage);
  process.exit(2);
}
