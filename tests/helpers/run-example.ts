import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { extractExample, toCjs, toEsm } from './readme-example.js';
import { run, type RunResult } from './run.js';
import { ROOT } from './workspace.js';

export type ModuleFormat = 'esm' | 'cjs';

export interface ExampleRun extends RunResult {
  readonly file: string;
}

/**
 * Writes a README's example into the consumer project as an ES module (.mjs) or a CommonJS script (.cjs)
 * and runs it with node from a scratch folder of its own (examples may write files), on the default backend.
 */
export async function runReadmeExample(consumerDir: string, id: string, readme: string, format: ModuleFormat, timeoutMs = 600_000): Promise<ExampleRun> {
  const shown = readme.startsWith(ROOT) ? relative(ROOT, readme) : readme;
  if (!existsSync(readme)) throw new Error(`${shown} is missing: every package needs a README with an "## Example" section`);
  const example = extractExample(readFileSync(readme, 'utf8'));
  if (!example) throw new Error(`${shown} has no \`\`\`ts block under a heading starting with "## Example": add the package's runnable example there`);
  const file = join(consumerDir, 'examples', `${id}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  mkdirSync(join(consumerDir, 'examples'), { recursive: true });
  writeFileSync(file, `// ${shown}, line ${example.line}\n${format === 'esm' ? toEsm(example) : toCjs(example)}`);
  const cwd = join(consumerDir, 'scratch', `${id}-${format}`);
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  const result = await run(process.execPath, [file], { cwd, timeoutMs });
  return { ...result, file };
}
