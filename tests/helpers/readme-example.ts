import { transformSync } from 'esbuild';

export interface ReadmeExample {
  /** the fenced block's language: ts or js */
  readonly language: string;
  readonly code: string;
  /** 1-based line of the block's first code line in the README */
  readonly line: number;
}

/**
 * The runnable example of a README: the first ```ts (or ```js) block after the first heading that starts
 * with "## Example". Undefined when the README has none.
 */
export function extractExample(markdown: string): ReadmeExample | undefined {
  const lines = markdown.split('\n');
  const heading = lines.findIndex((line) => /^##\s+Example\b/.test(line));
  if (heading < 0) return undefined;
  for (let i = heading + 1; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (/^##\s/.test(line)) return undefined; // the next section: no block under the heading
    const open = /^```(ts|typescript|js|javascript)\s*$/.exec(line);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) return undefined;
    return { language: open[1] === 'ts' || open[1] === 'typescript' ? 'ts' : 'js', code: lines.slice(i + 1, end).join('\n'), line: i + 2 };
  }
  return undefined;
}

/** The example as an ES module: TypeScript syntax stripped, nothing else changed. */
export function toEsm(example: ReadmeExample): string {
  return transformSync(example.code, { loader: example.language === 'ts' ? 'ts' : 'js', format: 'esm', target: 'node20' }).code;
}

const REQUIRE_DEFAULT = "const __requireDefault = (m) => (m !== null && typeof m === 'object' && 'default' in m ? m.default : m);";

/** `import` clauses -> `require` declarations, as a CommonJS user writes them. */
function requireOf(clause: string, specifier: string): string {
  const source = `require(${JSON.stringify(specifier)})`;
  const trimmed = clause.trim();
  if (!trimmed) return `${source};`;
  const namespace = /^\*\s+as\s+([\w$]+)$/.exec(trimmed);
  if (namespace) return `const ${namespace[1]} = ${source};`;
  const parts = /^(?:([\w$]+)\s*,?\s*)?(?:\*\s+as\s+([\w$]+)|\{([\s\S]*)\})?$/.exec(trimmed);
  if (!parts) throw new Error(`cannot turn "import ${clause} from '${specifier}'" into require()`);
  const [, defaultName, namespaceName, named] = parts;
  const out: string[] = [];
  if (defaultName) out.push(`const ${defaultName} = __requireDefault(${source});`);
  if (namespaceName) out.push(`const ${namespaceName} = ${source};`);
  if (named !== undefined) {
    const bindings = named
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean)
      .map((b) => b.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, '$1: $2'));
    out.push(`const { ${bindings.join(', ')} } = ${source};`);
  }
  return out.join('\n');
}

/**
 * The example as a CommonJS script: static imports become `require` calls, and the rest runs in an async
 * function (CommonJS has no top-level await). Dynamic `import()` stays as it is, as in CommonJS code.
 */
export function toCjs(example: ReadmeExample): string {
  const esm = toEsm(example);
  const requires: string[] = [];
  const body = esm.replace(/^import\s+(?:([\s\S]*?)\s+from\s+)?("[^"]+"|'[^']+');?[ \t]*$/gm, (_match, clause: string | undefined, quoted: string) => {
    requires.push(requireOf(clause ?? '', quoted.slice(1, -1)));
    return '';
  });
  if (/^\s*export\s/m.test(body)) throw new Error('a README example exports something: it cannot run as a script');
  return [
    "'use strict';",
    REQUIRE_DEFAULT,
    ...requires,
    '(async () => {',
    body,
    '})().catch((error) => {',
    '  console.error(error);',
    '  process.exitCode = 1;',
    '});',
    '',
  ].join('\n');
}
