import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {"index":"src/index.ts","node":"src/node.ts"},
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // One tfjs engine per process: never bundle TensorFlow.js or sibling packages.
  external: [/^@tensorflow\//, /^@distillery\//],
});
