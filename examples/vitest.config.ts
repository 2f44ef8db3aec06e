import { preset } from "@agentlightning/vitest-config";
import { defineConfig } from "vitest/config";

export default defineConfig(preset);
