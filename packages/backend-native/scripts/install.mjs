// npm "install" hook: builds the OpenBLAS addon with node-gyp. It must never fail the install: without
// a compiler or libopenblas-dev the package still works and callers fall back to another backend.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'native');

function findNodeGyp() {
  // npm exports the path of its bundled node-gyp to lifecycle scripts.
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((path) => path && existsSync(path));
}

function nodeGypArgs() {
  const args = ['rebuild'];
  // Headers installed beside the node binary (Debian, nvm, official tarballs) let node-gyp build offline
  // instead of downloading them from nodejs.org.
  const prefix = resolve(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
    args.push(`--nodedir=${prefix}`);
  }
  return args;
}

function unavailable(reason) {
  console.log(`@distillery/backend-native: native BLAS kernels unavailable (${reason}); tfjs backends will be used instead.`);
  process.exit(0);
}

if (process.env.DISTILLERY_SKIP_NATIVE === '1') unavailable('DISTILLERY_SKIP_NATIVE=1');
const nodeGyp = findNodeGyp();
if (!nodeGyp) unavailable('node-gyp not found');
const verbose = process.env.DISTILLERY_NATIVE_VERBOSE === '1';
const result = spawnSync(process.execPath, [nodeGyp, ...nodeGypArgs()], {
  cwd: nativeDir,
  stdio: verbose ? 'inherit' : 'pipe',
  encoding: 'utf8',
});
if (result.status !== 0) {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const firstError = output.split('\n').find((line) => /error|not found|No such file/i.test(line));
  unavailable(firstError ? firstError.trim().slice(0, 200) : `node-gyp exited with ${result.status ?? result.signal}`);
}
console.log('@distillery/backend-native: built native OpenBLAS kernels.');
