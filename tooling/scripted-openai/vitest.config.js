import { preset } from "@agentlightning/vitest-config";
import { defineConfig } from "vitest/config";

// Plain JavaScript package: its one test file sits beside the code.
export default defineConfig({ ...preset, test: { ...preset.test, include: ["*.test.js"] } });
