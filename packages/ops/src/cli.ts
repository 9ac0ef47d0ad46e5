import { runOps } from "./commands";

// Started as one node process by `npm run ops`; the exit code is the
// command's own (1 failed, 2 misused, 3 not found).
runOps(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then((code) => {
  process.exitCode = code;
});
