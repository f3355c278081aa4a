import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CLI_SOURCE = fileURLToPath(new URL('../../../src/cli.ts', import.meta.url));
const LOADER = pathToFileURL(fileURLToPath(new URL('./ts-loader.mjs', import.meta.url))).href;

/** A `distillery-bench` process run from the sources (no build needed), with its output collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved */
  output(): string;
  /** resolves once the output matches, rejects on exit or after `timeoutMs` */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  readonly exited: Promise<number | null>;
}

/**
 * Spawns the CLI's TypeScript entry through ts-loader.mjs, resolving workspace packages from source
 * as vitest does. Worker threads the process starts inherit the loader.
 */
export function spawnCli(args: readonly string[]): CliProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, ['--conditions=@distillery/source', '--import', LOADER, CLI_SOURCE, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(text)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${text}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        void exited.then((code) => {
          if (!listeners.has(check)) return;
          done();
          reject(new Error(`exited with ${code} before ${pattern}; output:\n${text}`));
        });
        listeners.add(check);
        check();
      });
    },
  };
}
