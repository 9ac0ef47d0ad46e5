import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { localConfig } from "./config";
import { deliver, newDeliveryId } from "./deliver";

const usage =
  "usage: npm run send -- clerk <file.json> [--times N] [--delay MS]";

/**
 * Signs a payload file exactly as Svix signs Clerk's deliveries and posts
 * it to the local webhook. With --times, the same delivery id is re-sent,
 * as Svix does when it retries.
 */
async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      times: { type: "string", default: "1" },
      delay: { type: "string", default: "0" },
    },
  });
  const [source, file] = positionals;
  const times = Number(values.times);
  const delay = Number(values.delay);
  if (source !== "clerk" || !file || !(times >= 1) || !(delay >= 0)) {
    throw new Error(usage);
  }
  const config = localConfig();
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const payload = readFileSync(resolve(cwd, file), "utf8");
  const url = `http://127.0.0.1:${config.apiPort}/webhooks/clerk`;
  const id = newDeliveryId();
  for (let attempt = 1; attempt <= times; attempt++) {
    if (attempt > 1 && delay > 0) await sleep(delay);
    const sent = await deliver({
      url,
      secret: config.webhookSecret,
      body: payload,
      id,
    });
    console.log(`${id} #${attempt}: ${sent.status} ${sent.text}`);
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
