// Module hooks behind ts-loader.mjs (they run on Node's loader thread). Transpiled files are cached
// on disk by path, size and mtime, so the second child process starts as fast as a bundled CLI.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const CACHE = join(tmpdir(), 'distillery-ts-loader-cache');
let typescript;

async function transpile(path) {
  const stat = statSync(path);
  const key = createHash('sha256').update(`${path}\0${stat.size}\0${stat.mtimeMs}`).digest('hex');
  const cached = join(CACHE, `${key}.js`);
  if (existsSync(cached)) return readFileSync(cached, 'utf8');
  typescript ??= (await import('typescript')).default;
  const ts = typescript;
  const { outputText } = ts.transpileModule(readFileSync(path, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, inlineSourceMap: true },
    fileName: path,
  });
  mkdirSync(CACHE, { recursive: true });
  const temporary = `${cached}.${process.pid}.tmp`;
  writeFileSync(temporary, outputText);
  renameSync(temporary, cached);
  return outputText;
}

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (parent && parent.endsWith('.ts') && specifier.startsWith('.') && specifier.endsWith('.js')) {
    const candidate = new URL(specifier.replace(/\.js$/, '.ts'), parent);
    if (!existsSync(fileURLToPath(new URL(specifier, parent))) && existsSync(fileURLToPath(candidate))) {
      return { url: candidate.href, shortCircuit: true, format: 'module' };
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  return { format: 'module', source: await transpile(fileURLToPath(url)), shortCircuit: true };
}
