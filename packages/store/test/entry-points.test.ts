import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Each entry point of the package may reach only the packages its consumers are told to install:
// the root needs nothing but its dependencies, each subpath adds its own optional peers. The walk
// follows every relative import (type-only and dynamic ones included) from the entry's source
// file and collects the bare specifiers it reaches. Declarations are emitted from the same files,
// so this also bounds what the entry's `.d.ts` files can reference.

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

const IMPORT_PATTERNS = [
  /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
];

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** The package names reached from `entry` (a path under src/), with the file that imports each. */
function reachedPackages(entry: string): Map<string, string> {
  const reached = new Map<string, string>();
  const seen = new Set<string>();
  const pending = [resolve(srcDir, entry)];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = stripComments(readFileSync(file, "utf8"));
    for (const pattern of IMPORT_PATTERNS) {
      for (const match of source.matchAll(pattern)) {
        const specifier = match[1] as string;
        if (specifier.startsWith(".")) {
          pending.push(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
        } else if (!specifier.startsWith("node:")) {
          const parts = specifier.split("/");
          const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
          if (!reached.has(name)) reached.set(name, file.slice(srcDir.length + 1));
        }
      }
    }
  }
  return reached;
}

function expectOnly(entry: string, allowed: readonly string[]): void {
  const unexpected = [...reachedPackages(entry)]
    .filter(([name]) => !allowed.includes(name))
    .map(([name, file]) => `${name} (imported by src/${file})`);
  expect(unexpected, `${entry} reaches packages outside its dependencies`).toEqual([]);
}

const ROOT = ["@agentlightning/types", "zod"];
const POSTGRES_PEERS = ["drizzle-orm", "@electric-sql/pglite", "postgres"];
const SERVER_PEERS = ["hono", "@hono/node-server", "protobufjs"];

describe("entry points", () => {
  it("the root reaches only @agentlightning/types and zod", () => {
    expectOnly("index.ts", ROOT);
  });

  it("/postgres adds only drizzle-orm and its drivers", () => {
    expectOnly("postgres/index.ts", [...ROOT, ...POSTGRES_PEERS]);
  });

  it("/server adds only hono, its Node adapter and protobufjs", () => {
    expectOnly("http/index.ts", [...ROOT, ...SERVER_PEERS]);
  });

  it("/testing adds only vitest", () => {
    expectOnly("testing/index.ts", [...ROOT, "vitest"]);
  });

  it("the walk sees type-only and dynamic imports (self-check)", () => {
    const reached = reachedPackages("postgres/driver.ts");
    expect(reached.has("@electric-sql/pglite")).toBe(true); // `import type { PGlite }` and `await import(...)`
    expect(reached.has("postgres")).toBe(true); // only `await import("postgres")`
  });
});
