// Rewrites the option table of README.md from the built option table (dist/help.js).
import { readFileSync, writeFileSync } from "node:fs";
import { storeOptionsMarkdown } from "../dist/help.js";

const README = new URL("../README.md", import.meta.url);
const BEGIN =
  "<!-- agl-store-options:begin (generated from src/options.ts: pnpm --filter @agentlightning/server readme) -->";
const END = "<!-- agl-store-options:end -->";
const readme = readFileSync(README, "utf8");
const start = readme.indexOf(BEGIN);
const end = readme.indexOf(END);
if (start < 0 || end < start) throw new Error(`README.md needs the markers ${BEGIN} ... ${END}`);
writeFileSync(
  README,
  `${readme.slice(0, start + BEGIN.length)}\n\n${storeOptionsMarkdown()}\n\n${readme.slice(end)}`,
);
