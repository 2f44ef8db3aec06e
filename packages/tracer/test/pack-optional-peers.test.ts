// The published tracer as a user gets it (packed tarballs installed with npm into scratch
// projects): the root entry loads and traces without the optional SDKs, `./otlp` loads once its
// encoder is installed, and an `InstrumentedTracer` finds and patches the user's own `openai`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ScriptedOpenAI, startScriptedOpenAI } from "@agentlightning/scripted-openai";
import {
  checkPackedPackage,
  installedPackages,
  installScratchProject,
  packPackage,
  runNode,
} from "@agentlightning/vitest-config/pack-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const tracerDir = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(tracerDir, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};
const OPTIONAL = ["openai", "ai", "@opentelemetry/otlp-transformer"];
const INSTALL_TIMEOUT = 300_000;

let work: string;
let tarballs: Record<string, string>;
let model: ScriptedOpenAI;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "agl-tracer-pack-"));
  tarballs = {
    "@agentlightning/types": `file:${packPackage(join(tracerDir, "../types"), work)}`,
    "@agentlightning/store": `file:${packPackage(join(tracerDir, "../store"), work)}`,
    "@agentlightning/tracer": `file:${packPackage(tracerDir, work)}`,
  };
  model = await startScriptedOpenAI({ reply: () => "packed answer" });
});
afterAll(async () => {
  await model?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Traces one rollout into an in-memory store; calls the model through a plain `openai` client when
// one is installed. Prints the span names and whether the triplet has token ids.
const AGENT = `import { InMemoryLightningStore } from "@agentlightning/store";
import { emitReward, InstrumentedTracer, TracerTraceToTriplet } from "@agentlightning/tracer";
const withOpenAI = process.argv[2] === "openai";
const store = new InMemoryLightningStore();
const tracer = new InstrumentedTracer({ openai: { requestTokenIds: true } });
await tracer.init();
await store.enqueueRollout({ input: {} });
const claimed = await store.dequeueRollout({ workerId: "w" });
await tracer.trace({ name: "agent", rolloutId: claimed.rollout_id, attemptId: claimed.attempt.attempt_id, store }, async () => {
  if (withOpenAI) {
    const { default: OpenAI } = await import("openai");
    await new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: "unused" }).chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
  }
  emitReward(1);
});
const spans = (await store.querySpans({ rolloutId: claimed.rollout_id })).items;
const triplets = new TracerTraceToTriplet().adapt(spans);
await tracer.teardown();
console.log(JSON.stringify({ names: spans.map((s) => s.name).sort(), tokenIds: triplets.map((t) => t.response.token_ids.length > 0) }));
`;

describe("published tarball of @agentlightning/tracer and its optional peers", () => {
  it("exports the instrumentations from the root and the OTLP processor from ./otlp", () => {
    const { exported } = checkPackedPackage(tracerDir);
    expect(exported["."]).toEqual(
      expect.arrayContaining([
        "InstrumentedTracer",
        "instrumentOpenAI",
        "aiSdkTelemetry",
        "aiSdkTokenIdSettings",
        "mapAiSdkSpan",
      ]),
    );
    expect(exported["."]).not.toContain("LightningOtlpSpanProcessor");
    expect(exported["./otlp"]).toEqual(["LightningOtlpSpanProcessor"]);
    // The browser-safe subpath: the adapters, readers and attribute helpers, all also at the root.
    expect(exported["./adapters"]).toEqual(
      expect.arrayContaining([
        "TraceTree",
        "TracerTraceToTriplet",
        "LlmProxyTraceToTriplet",
        "TraceToMessages",
        "findFinalReward",
        "flattenAttributes",
      ]),
    );
    expect(exported["."]).toEqual(expect.arrayContaining(exported["./adapters"] as string[]));
    expect(exported["./adapters"]).not.toContain("OtelTracer");
  }, 120_000);

  it(
    "root entry loads and traces without openai, ai or the OTLP encoder",
    async () => {
      const dir = join(work, "bare");
      await installScratchProject(dir, { dependencies: tarballs });
      expect(installedPackages(dir).filter((name) => OPTIONAL.includes(name))).toEqual([]);
      writeFileSync(join(dir, "agent.mjs"), AGENT);
      expect(JSON.parse(await runNode(dir, ["agent.mjs"]))).toEqual({
        names: ["agent", "agentlightning.annotation"],
        tokenIds: [],
      });
      // The OTLP subpath says what is missing.
      writeFileSync(join(dir, "otlp.mjs"), `await import("@agentlightning/tracer/otlp");`);
      await expect(runNode(dir, ["otlp.mjs"])).rejects.toThrow(/@opentelemetry\/otlp-transformer/);
    },
    INSTALL_TIMEOUT,
  );

  it(
    "with openai and the OTLP encoder installed: the user's openai is patched, ./otlp loads",
    async () => {
      const dir = join(work, "full");
      await installScratchProject(dir, {
        dependencies: {
          ...tarballs,
          openai: manifest.devDependencies.openai as string,
          "@opentelemetry/otlp-transformer": manifest.devDependencies[
            "@opentelemetry/otlp-transformer"
          ] as string,
        },
      });
      writeFileSync(join(dir, "agent.mjs"), AGENT);
      const out = await runNode(dir, ["agent.mjs", "openai"], { OPENAI_BASE_URL: model.baseUrl });
      expect(JSON.parse(out)).toEqual({
        names: ["agent", "agentlightning.annotation", "openai.chat.completion"],
        tokenIds: [true],
      });
      writeFileSync(
        join(dir, "otlp.mjs"),
        `const { LightningOtlpSpanProcessor } = await import("@agentlightning/tracer/otlp");
console.log(typeof new LightningOtlpSpanProcessor({ endpoint: "http://127.0.0.1:9/v1/traces", flushIntervalMs: 0 }).onEnd);`,
      );
      expect((await runNode(dir, ["otlp.mjs"])).trim()).toBe("function");
    },
    INSTALL_TIMEOUT,
  );
});
