import { defineConfig } from 'vitest/config';

// Browser checks on what the packages build to (dist), bundled with esbuild as a web app would be.
export default defineConfig({
  test: {
    name: 'browser',
    environment: 'node',
    include: ['**/*.test.ts'],
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
