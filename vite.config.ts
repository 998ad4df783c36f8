/// <reference types="vitest/config" />
// Builds the PWA in web/ (into web/dist, which the sync server serves) and lists the test projects.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

const dir = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: dir('./web'),
  publicDir: 'public',
  plugins: [
    react(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      manifest: false,
      injectManifest: { globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,json}'] },
    }),
  ],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } } },
  test: {
    restoreMocks: true,
    // Test files share two CPU cores and one Postgres; two at a time keeps timings sane.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      { test: { name: 'shared', root: dir('./shared'), include: ['src/**/*.test.ts'] } },
      {
        test: {
          name: 'sync-server',
          root: dir('./sync-server'),
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // @duet/client runs in Node, on fake-indexeddb and the memory storage.
        test: { name: 'client', root: dir('./web/core'), include: ['src/**/*.test.ts'], environment: 'node' },
      },
      {
        test: { name: 'web', root: dir('./web'), include: ['src/**/*.test.{ts,tsx}'], environment: 'node' },
      },
    ],
  },
});
