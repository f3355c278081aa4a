#!/usr/bin/env node
// Writes the build/test boilerplate of one workspace package: package.json (if missing), tsconfig,
// tsup and vitest configs. Usage: node scripts/scaffold-package.mjs packages/<dir> "<description>" [entry ...]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const [dir, description = '', ...extraEntries] = process.argv.slice(2);
if (!dir) {
  console.error('usage: scaffold-package.mjs <dir> "<description>" [extra entry names]');
  process.exit(2);
}
const name = `@distillery/${basename(dir)}`;
const entries = ['index', ...extraEntries];
mkdirSync(join(dir, 'src'), { recursive: true });

const exportsMap = {};
for (const entry of entries) {
  const key = entry === 'index' ? '.' : `./${entry}`;
  exportsMap[key] = {
    '@distillery/source': `./src/${entry}.ts`,
    import: { types: `./dist/${entry}.d.ts`, default: `./dist/${entry}.js` },
    require: { types: `./dist/${entry}.d.cts`, default: `./dist/${entry}.cjs` },
  };
}
exportsMap['./package.json'] = './package.json';

const pkgPath = join(dir, 'package.json');
if (!existsSync(pkgPath)) {
  const pkg = {
    name,
    version: '0.1.0',
    description,
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    exports: exportsMap,
    main: './dist/index.cjs',
    module: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist', 'README.md'],
    engines: { node: '>=20.19' },
    scripts: { build: 'tsup', typecheck: 'tsc -p tsconfig.json' },
    peerDependencies: { '@tensorflow/tfjs': '4.22.0' },
  };
  writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
}
writeFileSync(
  join(dir, 'tsconfig.json'),
  JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src', 'test', '*.ts'] }, null, 2) + '\n',
);
writeFileSync(
  join(dir, 'tsup.config.ts'),
  `import { defineConfig, libraryConfig } from '../../tsup.shared';

export default defineConfig(libraryConfig(${JSON.stringify(Object.fromEntries(entries.map((e) => [e, `src/${e}.ts`])))}));
`,
);
writeFileSync(
  join(dir, 'vitest.config.ts'),
  `import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared';

export default mergeConfig(sharedConfig, defineConfig({ test: { name: '${name}', passWithNoTests: true } }));
`,
);
console.log(`scaffolded ${name} in ${dir}`);
