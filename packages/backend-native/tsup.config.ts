import { defineConfig, libraryConfig } from '../../tsup.shared';

// import.meta.url locates the addon; the shim provides it in the CommonJS build.
export default defineConfig({ ...libraryConfig({ index: 'src/index.ts' }), shims: true });
