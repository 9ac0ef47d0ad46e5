import { parseArgs } from "node:util";
import { ConfigError, errorCode } from "@app/core/errors";
import { opsConfig } from "./config";
import { getCustomer } from "./customer";
import { peek, redrive, remove } from "./dlq";
import { OpsError } from "./errors";
import { reconcile } from "./reconcile";
import { duration, fields, table } from "./render";
import { linkStripeCustomer } from "./stripe-link";
import { resolveTarget, type Target } from "./target";

export const usage = `usage: npm run ops -- [options] <verb>

verbs:
  dlq peek [--max N]       dead letters: ids, types, receives, ages, reasons
  dlq redrive              move every dead letter back to the provision queue
  dlq delete <messageId>   delete one dead letter
  customer get <userId>    one customer record [--show-profile]
  stripe link <userId> <cus_...>
                           link a Stripe customer made outside the site to a
                           user, so its events (redrive them) can apply
  reconcile [--dry-run]    give every Clerk user a record (CLERK_SECRET_KEY)

options:
  --stage NAME   a deployed stage (default: the offline stack)
  --region NAME  the stage's region (default: AWS_REGION, else us-east-1)
  --table NAME   --queue NAME   --dlq NAME   resources named otherwise
  --json         JSON instead of a table`;

export type Output = { out(text: string): void; err(text: string): void };

const options = {
  stage: { type: "string" },
  region: { type: "string" },
  table: { type: "string" },
  queue: { type: "string" },
  dlq: { type: "string" },
  json: { type: "boolean", default: false },
  max: { type: "string" },
  "dry-run": { type: "boolean", default: false },
  "show-profile": { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} as const;

type Values = ReturnType<typeof parse>["values"];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options, allowPositionals: true });
}

/** Runs one ops command; resolves to the process's exit code. */
export async function runOps(argv: string[], io: Output): Promise<number> {
  let target: Target | undefined;
  try {
    const { values, positionals } = readArgs(argv);
    if (values.help) {
      io.out(usage);
      return 0;
    }
    const names = { table: values.table, queue: values.queue, dlq: values.dlq };
    target = resolveTarget({ ...values, names });
    return await dispatch(positionals, values, target, io);
  } catch (error) {
    io.err(`ops: ${oneLine(error)}`);
    if (error instanceof OpsError) {
      if (error.exitCode === 2) io.err(usage);
      return error.exitCode;
    }
    return 1;
  } finally {
    target?.close();
  }
}

function readArgs(argv: string[]) {
  try {
    return parse(argv);
  } catch (error) {
    throw new OpsError(error instanceof Error ? error.message : "bad args", 2);
  }
}

async function dispatch(
  positionals: string[],
  values: Values,
  target: Target,
  io: Output,
): Promise<number> {
  const [noun, verb, argument, second] = positionals;
  const show = (text: string, json: unknown) =>
    io.out(values.json ? JSON.stringify(json, null, 2) : text);
  const command = noun === "reconcile" ? noun : `${noun} ${verb}`;
  switch (command) {
    case "dlq peek": {
      const max = values.max === undefined ? undefined : Number(values.max);
      if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
        throw new OpsError("--max takes a whole number above 0", 2);
      }
      const { deadLetterUrl } = await target.queues();
      const result = await peek(target.sqs, deadLetterUrl, { max });
      show(peekTable(target, result), { target: target.label, ...result });
      return 0;
    }
    case "dlq redrive": {
      const result = await redrive(target.sqs, await target.queues(), {
        onProgress: (task) =>
          io.err(`${task.status}: moved ${task.moved} of ${task.toMove}`),
      });
      const text =
        result.status === "EMPTY"
          ? "the DLQ is empty: nothing to redrive"
          : `redrive ${result.status.toLowerCase()}: moved ${result.moved}` +
            ` of ${result.toMove}; ${result.left} left in the DLQ`;
      show(text, { target: target.label, ...result });
      return 0;
    }
    case "dlq delete": {
      if (!argument) throw new OpsError("dlq delete needs a message id", 2);
      const { deadLetterUrl } = await target.queues();
      const deleted = await remove(target.sqs, deadLetterUrl, argument);
      if (!deleted) throw new OpsError(`no dead letter ${argument}`, 3);
      show(`deleted\n${fields(deleted)}`, { deleted });
      return 0;
    }
    case "customer get": {
      if (!argument) throw new OpsError("customer get needs a user id", 2);
      await target.table();
      const customer = await getCustomer(argument, {
        showProfile: values["show-profile"],
      });
      show(fields(customer), customer);
      return 0;
    }
    case "stripe link": {
      if (!argument || !second) {
        throw new OpsError("stripe link needs a user id and a cus_ id", 2);
      }
      await target.table();
      const outcome = await linkStripeCustomer(argument, second);
      const text =
        outcome === "claimed"
          ? `linked ${second} to ${argument}; now run: dlq redrive`
          : `${second} was already linked to ${argument}; nothing changed`;
      show(text, { userId: argument, stripeCustomerId: second, outcome });
      return 0;
    }
    case "reconcile": {
      await target.table();
      const config = opsConfig();
      const report = await reconcile({
        secretKey: config.clerkSecretKey,
        apiUrl: config.clerkApiUrl,
        dryRun: values["dry-run"],
        onRetry: ({ status, waitMs }) =>
          io.err(`Clerk answered ${status ?? "nothing"}; waiting ${waitMs} ms`),
        onFailure: (result) => io.err(`failed: ${JSON.stringify(result)}`),
      });
      show(fields({ target: target.label, ...report }), report);
      return report.failed > 0 || !report.complete ? 1 : 0;
    }
    default:
      throw new OpsError(
        positionals.length
          ? `unknown command: ${positionals.join(" ")}`
          : "no command given",
        2,
      );
  }
}

function peekTable(target: Target, result: Awaited<ReturnType<typeof peek>>) {
  const heading =
    `${target.label}: ${result.approximateCount} dead letters` +
    (result.messages.length < result.approximateCount
      ? `, ${result.messages.length} shown`
      : "");
  if (result.messages.length === 0) return heading;
  const rows = result.messages.map((m) => ({
    ...m,
    // A Stripe event may not name its user: its customer says whose it is.
    userId: m.userId ?? m.stripeCustomerId,
    age: duration(m.ageSeconds),
  }));
  return `${heading}\n${table(
    [
      ["messageId", "MESSAGE ID"],
      ["eventId", "EVENT ID"],
      ["type", "TYPE"],
      ["userId", "USER ID (OR STRIPE CUSTOMER)"],
      ["receiveCount", "RECEIVES"],
      ["age", "AGE"],
      ["failure", "FAILURE"],
      ["reason", "REASON"],
    ],
    rows,
  )}`;
}

function oneLine(error: unknown): string {
  if (error instanceof OpsError || error instanceof ConfigError) {
    return error.message;
  }
  const text = error instanceof Error ? error.message : String(error);
  return `${errorCode(error)}: ${text.split("\n")[0]}`;
}
