import { preset } from "@agentlightning/vitest-config";
import { defineConfig, mergeConfig } from "vitest/config";

// The test files start many processes each (runner children, scripts re-run per worker): run the
// files one after another so they do not starve each other of the CPU.
export default mergeConfig(defineConfig(preset), defineConfig({ test: { fileParallelism: false } }));
