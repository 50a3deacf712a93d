// The peer page of bench/workbench/run.mjs: built with web/'s own Vite, React and @xyflow/react
// (run.mjs links peer/node_modules to ../../../web/node_modules first), same settings as
// web/vite.config.ts (esbuild JSX, no React plugin, es2021, no sourcemaps).
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

export default {
  root,
  base: "./",
  logLevel: "warn",
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2021",
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      onwarn(warning, warn) {
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
};
