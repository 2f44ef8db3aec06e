// `@agentlightning/tracer/adapters` must load in a browser bundle: no `node:` module, no
// OpenTelemetry SDK, no AsyncLocalStorage may be reachable from it. This walks the module graph of
// the BUILT entry (dist, what a bundler sees), following relative imports and the workspace
// `@agentlightning/*` packages it imports, and checks every specifier it meets.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const tracerDir = fileURLToPath(new URL("..", import.meta.url));
// The built entries, imported by path at run time: `pnpm typecheck` runs before the build on a
// fresh clone, so a static import of dist would not resolve there. Typed by their sources.
const adapters = (await import(
  pathToFileURL(join(tracerDir, "dist/adapter/index.js")).href
)) as typeof import("../src/adapter/index.js");
const root = (await import(
  pathToFileURL(join(tracerDir, "dist/index.js")).href
)) as typeof import("../src/index.js");
// Third-party packages the entry may reach: each is universal (no Node built-ins).
const BROWSER_SAFE_PACKAGES = new Set(["zod", "@huggingface/jinja", "@opentelemetry/api"]);
const SPECIFIER =
  /(?:^|[;\s}])(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

// The file a workspace package's specifier points at (its `exports` "default" condition).
function resolveWorkspace(specifier: string, fromFile: string): string {
  const name = packageName(specifier);
  let dir = dirname(fromFile);
  while (!existsSync(join(dir, "node_modules", name, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find ${name} from ${fromFile}`);
    dir = up;
  }
  const pkgDir = join(dir, "node_modules", name);
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as {
    exports: Record<string, { default: string }>;
  };
  const subpath = `.${specifier.slice(name.length)}`;
  const target = manifest.exports[subpath === "." ? "." : subpath];
  if (!target) throw new Error(`${name} does not export ${subpath}`);
  return join(pkgDir, target.default);
}

/** Every specifier reachable from `entry`: files visited and the external specifiers met. */
function walk(entry: string): { files: string[]; external: Map<string, string> } {
  const seen = new Set<string>();
  const external = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, "utf8");
    for (const match of code.matchAll(SPECIFIER)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith(".")) queue.push(resolve(dirname(file), specifier));
      else if (specifier.startsWith("@agentlightning/")) queue.push(resolveWorkspace(specifier, file));
      else external.set(specifier, file);
    }
  }
  return { files: [...seen], external };
}

describe("@agentlightning/tracer/adapters is browser-safe", () => {
  const graph = walk(join(tracerDir, "dist/adapter/index.js"));

  it("reaches no node: module and only universal third-party packages", () => {
    // The walk really follows the graph: the adapters, the readers and @agentlightning/types.
    expect(graph.files.some((f) => f.endsWith("trace-tree.js"))).toBe(true);
    expect(graph.files.some((f) => f.endsWith("reward-readers.js"))).toBe(true);
    expect(graph.files.some((f) => f.includes(`types${"/"}dist`))).toBe(true);
    const offenders = [...graph.external].filter(
      ([specifier]) => specifier.startsWith("node:") || !BROWSER_SAFE_PACKAGES.has(packageName(specifier)),
    );
    expect(offenders).toEqual([]);
  });

  it("the walker flags node: imports (the root entry has them)", () => {
    const rootGraph = walk(join(tracerDir, "dist/index.js"));
    expect([...rootGraph.external.keys()].some((s) => s.startsWith("node:"))).toBe(true);
  });

  it("exports the adapters, readers and attribute helpers, the same objects as the root entry", () => {
    for (const name of [
      "TraceTree",
      "TracerTraceToTriplet",
      "LlmProxyTraceToTriplet",
      "TraceToMessages",
      "describeDiagnostics",
      "findFinalReward",
      "getRewardValue",
      "flattenAttributes",
      "unflattenAttributes",
      "LightningSpanAttributes",
    ]) {
      expect(adapters).toHaveProperty(name);
    }
    for (const [name, value] of Object.entries(adapters)) {
      expect(root[name as keyof typeof root], name).toBe(value);
    }
  });

  it("the adapter makes synthetic span ids on Web Crypto", () => {
    const span = (id: string, parent: string | null) => ({
      rollout_id: "ro-1",
      attempt_id: "at-1",
      sequence_id: 0,
      trace_id: "0".repeat(31) + "1",
      span_id: id,
      parent_id: parent,
      name: "x",
      status: { status_code: "OK" as const, description: null },
      attributes: {},
      events: [],
      links: [],
      start_time: 1,
      end_time: 2,
      context: null,
      parent: null,
      resource: { attributes: {}, schema_url: "" },
    });
    // Two roots make the tree join them under a synthetic root with a random id.
    const tree = adapters.TraceTree.fromSpans([span("a".repeat(16), null), span("b".repeat(16), null)]);
    expect(tree.id).toBe(adapters.VIRTUAL_ROOT_ID);
    expect(tree.children).toHaveLength(2);
    expect(tree.span.span_id).toMatch(/^[0-9a-f]{16}$/);
  });
});
