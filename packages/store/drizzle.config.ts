import { defineConfig } from "drizzle-kit";

// Generates the committed migrations in drizzle/ from the store's Drizzle schema:
// `pnpm --filter @agentlightning/store db:generate`. The store applies them itself at startup.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/postgres/schema.ts",
  out: "./drizzle",
});
