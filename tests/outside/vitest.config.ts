import { defineConfig } from 'vitest/config';

// Tests of what users get from npm: packed tarballs installed into a project outside the workspace, so
// no "@distillery/source" condition here (nothing resolves to workspace sources).
export default defineConfig({
  test: {
    name: 'outside',
    environment: 'node',
    include: ['**/*.test.ts'],
    pool: 'forks',
    testTimeout: 600_000,
    hookTimeout: 900_000,
  },
});
