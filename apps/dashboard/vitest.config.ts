import { preset } from "@agentlightning/vitest-config";
import { defineConfig } from "vitest/config";

// Component tests (src/**/*.test.tsx) run in happy-dom (each file says so in its first line);
// browser tests (test/e2e/*.test.ts) drive Debian's Chromium against a real `agl store`.
export default defineConfig({
  ...preset,
  test: {
    ...preset.test,
    include: ["src/**/*.test.ts", "src/**/*.test.tsx", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
