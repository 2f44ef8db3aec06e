// Shared vitest preset: every package's vitest.config.ts spreads this.
// Unit tests live beside the code (src/**/*.test.ts), integration tests in test/.
// When VITEST_JSON_DIR is set (CI), each package also writes vitest's JSON report there,
// named after the package folder, so .ci/run can add up passed/failed across packages.
import { basename, dirname, join } from "node:path";

const jsonDir = process.env.VITEST_JSON_DIR;
const reportName = `${basename(dirname(process.cwd()))}-${basename(process.cwd())}.json`;

/** @type {import('vitest/config').UserConfig} */
export const preset = {
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    passWithNoTests: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: jsonDir ? ["default", ["json", { outputFile: join(jsonDir, reportName) }]] : ["default"],
  },
};
