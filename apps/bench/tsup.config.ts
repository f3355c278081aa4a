import { defineConfig } from 'tsup';

// The bench is a private app: ESM only; the CLI entry keeps its shebang.
export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: [/^@tensorflow\//, /^@distillery\//],
});
