import { defineConfig, libraryConfig } from '../../tsup.shared';

export default defineConfig(libraryConfig({ index: 'src/index.ts' }));
