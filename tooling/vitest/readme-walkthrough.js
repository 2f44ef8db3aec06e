// Runs the curl walk-through of a README as it is written (with bash, curl and jq) against a live
// server, so the README's commands can never drift from what the server answers.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

const BLOCK = /<!-- curl-walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- curl-walkthrough:end -->/;
/** The address the walk-through is written against. */
export const WALKTHROUGH_ORIGIN = "http://127.0.0.1:4747";

/**
 * The shell block between `<!-- curl-walkthrough:start -->` and `<!-- curl-walkthrough:end -->`.
 * @param {string} markdown
 * @returns {string}
 */
export function walkthroughScript(markdown) {
  const match = BLOCK.exec(markdown);
  if (match?.[1] === undefined) throw new Error("README has no curl walk-through block");
  if (!match[1].includes(`${WALKTHROUGH_ORIGIN}/v1/agl`)) {
    throw new Error(`the walk-through must address the store at ${WALKTHROUGH_ORIGIN}/v1/agl`);
  }
  return match[1];
}

/**
 * Runs the README's walk-through with `bash -euo pipefail`, the store at `origin` instead of the
 * documented address; resolves with what it printed.
 * @param {URL | string} readme
 * @param {string} origin
 * @returns {Promise<string>}
 */
export async function runCurlWalkthrough(readme, origin) {
  const script = walkthroughScript(readFileSync(readme, "utf8")).replaceAll(WALKTHROUGH_ORIGIN, origin);
  const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script]);
  return stdout;
}
