#!/usr/bin/env node
// The only file that touches the process: argv, env, stdout/stderr, signals, exit code.
import { runCli } from "./cli.js";

const stopSignal = new Promise<string>((resolve) => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve(signal));
});

const code = await runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stopSignal,
});
process.exit(code);
