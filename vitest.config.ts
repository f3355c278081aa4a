import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // tests/*: packed tarballs installed outside the workspace, browser bundles (see CONTRIBUTING.md)
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tests/*/vitest.config.ts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
