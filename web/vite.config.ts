import { defineConfig } from "vite";

// No React plugin: esbuild compiles TSX (automatic runtime) and we do not need fast refresh in the
// embedded build. `npm run dev` proxies /api to the dev mock (or a real `gen workbench`) on
// GEN_WORKBENCH_URL (default http://127.0.0.1:5174, the port of dev-mock.mjs).
// Typed here so the config needs no @types/node.
declare const process: { env: Record<string, string | undefined> };
const target = process.env.GEN_WORKBENCH_URL ?? "http://127.0.0.1:5174";

export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2021",
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      onwarn(warning, warn) {
        // @xyflow/react starts with "use client" (a React Server Components hint); harmless here.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: { "/api": { target, changeOrigin: false } },
  },
});
