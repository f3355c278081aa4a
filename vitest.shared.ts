import { defineConfig } from 'vitest/config';

// Workspace packages resolve each other from source through the "@distillery/source" export condition,
// so tests never need a prior build. Vite's default conditions must be repeated when adding one.
export const sharedConfig = defineConfig({
  ssr: {
    resolve: {
      conditions: ['@distillery/source', 'module', 'node', 'development|production'],
    },
  },
  resolve: {
    conditions: ['@distillery/source', 'module', 'node', 'development|production'],
  },
  test: {
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: [new URL('./scripts/vitest-setup.ts', import.meta.url).pathname],
    pool: 'forks',
  },
});
