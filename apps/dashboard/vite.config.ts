import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Relative asset URLs (`base: "./"`) so `agl store` can serve dist/ at `/` and the app also works
// from any sub-path or a file server. Routing lives in the URL hash, so the SPA fallback of the
// server is never needed to reload a view.
export default defineConfig({
  base: "./",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    // `pnpm dev` proxies the store API to a running `agl store`, so the app uses its own origin.
    proxy: { "/v1": process.env.AGL_STORE_URL ?? "http://127.0.0.1:4747" },
  },
});
