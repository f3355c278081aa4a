import { defineConfig, type Options } from 'tsup';

/**
 * The build every published package shares: ESM + CJS with declarations, for Node 20. Each package names
 * only its entry points. TensorFlow.js and sibling packages are never bundled: a process must hold one
 * tfjs engine (two copies would each keep their own backends and tensor registry).
 */
export function libraryConfig(entry: Readonly<Record<string, string>>): Options {
  return {
    entry: { ...entry },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    external: [/^@tensorflow\//, /^@distillery\//],
  };
}

export { defineConfig };
