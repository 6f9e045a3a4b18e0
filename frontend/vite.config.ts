/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath, URL } from "node:url";
import { precompress } from "./scripts/precompress";

const backend = process.env.BIMFLOW_BACKEND ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/",
  plugins: [react(), precompress()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    proxy: {
      "/api": { target: backend, changeOrigin: false },
      "/admin": { target: backend, changeOrigin: false },
      "/static": { target: backend, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    manifest: true,
    // The viewer chunk (three.js + web-ifc glue) is lazy and legitimately large.
    chunkSizeWarningLimit: 1200,
  },
  worker: { format: "es" },
  test: {
    environment: "jsdom",
    globals: false,
    setupFiles: ["./src/testing/setup-tests.ts"],
    css: false,
    include: ["src/**/*.test.{ts,tsx}"],
    testTimeout: 15000,
  },
});
