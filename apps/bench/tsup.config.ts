import { defineConfig } from 'tsup';

// The bench is a private app: ESM only; the CLI entry keeps its shebang. The worker entry is loaded by
// path (dist/worker.js) from the worker pool, so it must be its own entry.
export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts', worker: 'src/runner/worker-entry.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: [/^@tensorflow\//, /^@distillery\//],
});
