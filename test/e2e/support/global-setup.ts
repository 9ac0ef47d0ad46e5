import { existsSync } from "node:fs";
import { ensureSiteBuilt } from "../../../packages/local/src/site.js";
import { chromiumPath } from "./browser.js";

/**
 * Once per run, before any stack starts: every test file runs its own
 * `npm start`, and two of them building the site at once would collide.
 */
export default function setup() {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `${chromiumPath} not found; the browser tests drive Debian's ` +
        "Chromium (apt-get install -y chromium chromium-driver).",
    );
  }
  ensureSiteBuilt((line) => console.log(line));
}
