import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { storeOptionsMarkdown } from "../src/help.js";

const README = new URL("../README.md", import.meta.url);
const BEGIN =
  "<!-- agl-store-options:begin (generated from src/options.ts: pnpm --filter @agentlightning/server readme) -->";
const END = "<!-- agl-store-options:end -->";

describe("the README's option table", () => {
  it("is the one generated from the option table", () => {
    const readme = readFileSync(README, "utf8");
    const start = readme.indexOf(BEGIN);
    const end = readme.indexOf(END);
    expect(start, `README.md lacks ${BEGIN}`).toBeGreaterThan(0);
    expect(readme.slice(start + BEGIN.length, end).trim()).toBe(storeOptionsMarkdown());
  });
});
