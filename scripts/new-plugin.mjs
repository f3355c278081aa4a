#!/usr/bin/env node
// Scaffolds a Distillery plugin package with one loss or one scheme: source, registry entry, tests that run
// the testkit conformance suite, a README skeleton, a bench suite and a changeset.
//
//   npm run new-plugin -- <name> [--kind loss|scheme] [--dir <path>] [--method <registry-name>]
//
// Inside this repository's packages/ folder (the default: packages/<name>) it writes a workspace package
// (boilerplate from scaffold-package.mjs, a changeset in .changeset/). Anywhere else it writes a standalone
// package with its own build, test and changesets configuration, depending on the published packages.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEMPLATES = join(ROOT, 'scripts', 'plugin-template');
const USAGE = 'usage: npm run new-plugin -- <name> [--kind loss|scheme] [--dir <path>] [--method <registry-name>]';

function fail(message) {
  console.error(`new-plugin: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArguments(argv) {
  const options = { kind: 'loss' };
  const positional = [];
  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i];
    if (argument === '--help' || argument === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const match = /^--(kind|dir|method)(?:=(.*))?$/.exec(argument);
    if (match) {
      const value = match[2] ?? argv[(i += 1)];
      if (value === undefined) fail(`--${match[1]} needs a value`);
      options[match[1]] = value;
    } else if (argument.startsWith('--')) {
      fail(`unknown option ${argument}`);
    } else {
      positional.push(argument);
    }
  }
  if (positional.length !== 1) fail('give exactly one package name');
  if (!['loss', 'scheme'].includes(options.kind)) fail(`--kind is loss or scheme, not "${options.kind}"`);
  return { name: positional[0], ...options };
}

const words = (text) => text.split(/[^a-zA-Z0-9]+/).filter(Boolean);
const capitalise = (word) => word.charAt(0).toUpperCase() + word.slice(1);
const pascal = (text) => words(text).map((w) => capitalise(w.toLowerCase())).join('');
const camel = (text) => {
  const p = pascal(text);
  return p.charAt(0).toLowerCase() + p.slice(1);
};

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const writeJson = (path, value) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

/** Versions the plugin builds against: the workspace's own packages and tools. */
function workspaceVersions() {
  const rootManifest = readJson(join(ROOT, 'package.json'));
  const version = (pkg) => readJson(join(ROOT, 'packages', pkg, 'package.json')).version;
  const dev = rootManifest.devDependencies ?? {};
  return {
    core: `^${version('core')}`,
    losses: `^${version('losses')}`,
    testkit: `^${version('testkit')}`,
    tfjs: readJson(join(ROOT, 'packages', 'core', 'package.json')).peerDependencies['@tensorflow/tfjs'],
    vitest: dev.vitest,
    tsup: dev.tsup,
    typescript: dev.typescript,
    changesets: dev['@changesets/cli'],
    node: rootManifest.engines?.node ?? '>=20.19',
  };
}

/** Every template file below `folder`, as paths relative to it. */
function templateFiles(folder) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.tmpl')) out.push(relative(folder, path));
    }
  };
  walk(folder);
  return out;
}

function render(text, values) {
  let out = text;
  for (const [key, value] of Object.entries(values)) out = out.replaceAll(key, value);
  return out;
}

/** Copies a template folder into `target`, filling placeholders in names and contents. */
function copyTemplates(folder, target, values) {
  const written = [];
  for (const file of templateFiles(folder)) {
    const name = render(file.slice(0, -'.tmpl'.length), values).split(sep).map((part) => (part.startsWith('_') && !part.startsWith('__') ? `.${part.slice(1)}` : part)).join(sep);
    const destination = join(target, name);
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, render(readFileSync(join(folder, file), 'utf8'), values));
    written.push(relative(target, destination));
  }
  return written;
}

function changesetText(packageName, method, kind) {
  return `---\n"${packageName}": minor\n---\n\nNew plugin ${packageName}: the "${method}" ${kind} (registry name "${method}"), with its conformance tests and a bench suite.\n`;
}

function standaloneManifest(packageName, method, kind, v) {
  return {
    name: packageName,
    version: '0.1.0',
    description: `Distillery plugin: the "${method}" ${kind}`,
    keywords: ['distillery-plugin', 'knowledge-distillation', 'tensorflowjs', method],
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    exports: {
      '.': {
        import: { types: './dist/index.d.ts', default: './dist/index.js' },
        require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
      },
      './package.json': './package.json',
    },
    main: './dist/index.cjs',
    module: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist', 'bench', 'README.md'],
    engines: { node: v.node },
    scripts: { build: 'tsup', test: 'vitest run', typecheck: 'tsc -p tsconfig.json', changeset: 'changeset' },
    // One TensorFlow.js per process: the application provides it.
    peerDependencies: { '@tensorflow/tfjs': v.tfjs },
    dependencies: { '@distillery/core': v.core, '@distillery/losses': v.losses },
    devDependencies: {
      '@changesets/cli': v.changesets,
      '@distillery/testkit': v.testkit,
      '@tensorflow/tfjs': v.tfjs,
      tsup: v.tsup,
      typescript: v.typescript,
      vitest: v.vitest,
    },
  };
}

function main() {
  const args = parseArguments(process.argv.slice(2));
  const callerDir = process.env.INIT_CWD ?? process.cwd(); // npm run changes cwd to the repository root
  const unscoped = args.name.replace(/^@[^/]+\//, '');
  if (!/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/.test(args.name)) fail(`"${args.name}" is not a valid npm package name`);
  const target = args.dir ? resolve(callerDir, args.dir) : join(ROOT, 'packages', unscoped);
  const inWorkspace = dirname(target) === join(ROOT, 'packages');
  const packageName = inWorkspace && !args.name.startsWith('@') ? `@distillery/${unscoped}` : args.name;
  const method = args.method ?? unscoped.replace(/^distillery-(plugin-)?/, '');
  if (!/^[a-z][a-z0-9-]*$/.test(method)) fail(`registry name "${method}" must be lower-case letters, digits and "-", starting with a letter (pass --method)`);
  if (existsSync(target) && readdirSync(target).length > 0) fail(`${target} exists and is not empty`);

  const v = workspaceVersions();
  const values = {
    __PACKAGE__: packageName,
    __METHOD_FILE__: method,
    __METHOD__: method,
    __FACTORY__: camel(method),
    __TYPE__: pascal(method),
    __CONST__: words(method).join('_').toUpperCase(),
    __TERM__: camel(method),
  };
  mkdirSync(target, { recursive: true });
  const written = copyTemplates(join(TEMPLATES, args.kind), target, values);

  if (inWorkspace) {
    const scaffold = spawnSync(process.execPath, [join(ROOT, 'scripts', 'scaffold-package.mjs'), target, `Distillery plugin: the "${method}" ${args.kind}`], { stdio: 'inherit' });
    if (scaffold.status !== 0) process.exit(scaffold.status ?? 1);
    const manifestPath = join(target, 'package.json');
    const manifest = readJson(manifestPath);
    const { name: _name, version, description, ...rest } = manifest;
    writeJson(manifestPath, {
      name: packageName,
      version,
      description,
      keywords: ['distillery-plugin', 'knowledge-distillation', 'tensorflowjs', method],
      ...rest,
      files: ['dist', 'bench', 'README.md'],
      publishConfig: { access: 'public' },
      dependencies: { '@distillery/core': v.core, '@distillery/losses': v.losses },
      devDependencies: { '@distillery/testkit': v.testkit },
    });
    const changeset = join(ROOT, '.changeset', `${unscoped}.md`);
    writeFileSync(changeset, changesetText(packageName, method, args.kind));
    written.push('package.json', 'tsconfig.json', 'tsup.config.ts', 'vitest.config.ts', relative(target, changeset));
  } else {
    written.push(...copyTemplates(join(TEMPLATES, 'standalone'), target, values));
    writeJson(join(target, 'package.json'), standaloneManifest(packageName, method, args.kind, v));
    writeFileSync(join(target, '.changeset', `${basename(unscoped)}.md`), changesetText(packageName, method, args.kind));
    written.push('package.json', join('.changeset', `${basename(unscoped)}.md`));
  }

  const shown = relative(callerDir, target) || '.';
  console.log(`created ${packageName} (${args.kind} "${method}") in ${target}:\n${written.sort().map((f) => `  ${f}`).join('\n')}`);
  console.log(
    inWorkspace
      ? `\nnext: npm install (links the new workspace package), then\n  NO_COLOR=1 npx vitest run --project ${packageName}\n  npx tsc -p ${relative(ROOT, target)}/tsconfig.json\n  npm run build && node apps/bench/dist/cli.js run ${relative(ROOT, target)}/bench/${method}.yaml --quick --plugin ${packageName}\nTo ship it with the bench, add its import to apps/bench/src/registry.ts and the package to apps/bench/package.json.`
      : `\nnext: cd ${shown} && npm install && npm test && npm run typecheck && npm run build\nthen, in a project with the bench installed: distillery-bench run ${shown}/bench/${method}.yaml --quick --plugin ${packageName}`,
  );
}

main();
