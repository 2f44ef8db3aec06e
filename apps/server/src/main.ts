#!/usr/bin/env node
// The only file that touches the process: argv, env, stdout/stderr, signals, exit code.
import { runCli } from "./cli.js";

// Ctrl+C reaches the server twice when it runs under a package manager: the terminal signals the
// whole process group, and pnpm forwards the signal to its script as well. Both copies ask for the
// same graceful stop, so a repeat within a second is absorbed; a later Ctrl+C (the user insisting
// while the stop hangs) ends the process at once, with the conventional 128 + signal number.
const REPEAT_WINDOW_MS = 1000;
let firstSignalAt: number | undefined;
const stopSignal = new Promise<string>((resolve) => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      const now = Date.now();
      if (firstSignalAt === undefined) {
        firstSignalAt = now;
        resolve(signal);
      } else if (now - firstSignalAt > REPEAT_WINDOW_MS) {
        process.exit(signal === "SIGINT" ? 130 : 143);
      }
    });
  }
});

const code = await runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
  stopSignal,
});
process.exit(code);
