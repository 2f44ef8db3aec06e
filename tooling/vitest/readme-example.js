// Helpers for tests that run a README's code example as it is written: take the fenced block
// between two HTML comment markers, write it to a file, import it, and collect what its
// console.log calls print. One copy, so every package's README test extracts and runs alike.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";

/**
 * The text between `start` and `end` in `markdown`, without the fence of a code block around it.
 * @param {string} markdown
 * @param {string} start
 * @param {string} end
 * @returns {string}
 */
export function blockBetween(markdown, start, end) {
  const from = markdown.indexOf(start);
  const to = from < 0 ? -1 : markdown.indexOf(end, from + start.length);
  if (from < 0 || to < 0) throw new Error(`README markers '${start}' / '${end}' not found`);
  return markdown
    .slice(from + start.length, to)
    .replace(/^\s*```\w*\n/, "")
    .replace(/```\s*$/, "");
}

/**
 * The code block between `<!-- name:start -->` and `<!-- name:end -->` of the README at `readme`.
 * @param {URL | string} readme
 * @param {string} name
 * @returns {string}
 */
export function readmeBlock(readme, name) {
  return blockBetween(readFileSync(readme, "utf8"), `<!-- ${name}:start -->`, `<!-- ${name}:end -->`);
}

/**
 * Writes `code` to `dir/fileName`, imports it, and resolves with the lines its `console.log`
 * calls printed (formatted as console.log formats them). console.log is restored afterwards.
 * @param {string} code
 * @param {{ dir: string, fileName?: string }} options
 * @returns {Promise<string[]>}
 */
export async function importCapturingLogs(code, { dir, fileName = "example.ts" }) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, fileName);
  writeFileSync(file, code);
  const printed = [];
  const original = console.log;
  console.log = (...args) => {
    printed.push(format(...args));
  };
  try {
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  } finally {
    console.log = original;
  }
  return printed;
}
