import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Registry } from '@distillery/core';
import { YAMLParseError, parse as parseYaml } from 'yaml';
import { quickVariant } from './merge-quick.js';
import { resolveSuite, type ResolvedSuite } from './resolve.js';
import { suiteSchema } from './schema.js';
import { SuiteValidationError, formatPath, type SuiteIssue } from './suite-error.js';
import { shippedSuitePath } from './shipped.js';

/** Parses suite text: YAML (a superset of JSON, with `<<` merge keys) unless the name ends in .json. */
export function parseSuiteText(text: string, source: string): unknown {
  try {
    if (source.endsWith('.json')) return JSON.parse(text) as unknown;
    return parseYaml(text, { merge: true, prettyErrors: true }) as unknown;
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const at = error.linePos?.[0];
      throw new SuiteValidationError(source, [{ path: at ? `line ${at.line}, column ${at.col}` : '', message: error.message.split('\n')[0] ?? 'YAML syntax error' }]);
    }
    if (error instanceof SyntaxError) throw new SuiteValidationError(source, [{ path: '', message: `JSON syntax error: ${error.message}` }]);
    throw error;
  }
}

/**
 * Validates a raw suite object (schema, then cross-references against the registry) and resolves it.
 * Both variants are checked when the suite has a quick block, so a broken quick variant fails early.
 */
export function validateSuite(raw: unknown, registry: Registry, source: string, quick = false): ResolvedSuite {
  const issues: SuiteIssue[] = [];
  const variant = quick && typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? quickVariant(raw as Record<string, unknown>, issues) : raw;
  if (issues.length) throw new SuiteValidationError(source, issues);
  const parsed = suiteSchema.safeParse(variant);
  if (!parsed.success) {
    const label = quick ? `${source} (quick variant: paths are in the merged suite)` : source;
    throw new SuiteValidationError(label, parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
  }
  const resolved = resolveSuite(parsed.data, registry, source, quick);
  if (resolved.issues.length) throw new SuiteValidationError(quick ? `${source} (quick variant)` : source, resolved.issues);
  return resolved.suite;
}

/** A shipped suite name (quickstart, hinton-mnist, low-label) or a path to a .yaml / .yml / .json file. */
export function loadSuite(nameOrPath: string, registry: Registry, options: { readonly quick?: boolean } = {}): ResolvedSuite {
  const shipped = shippedSuitePath(nameOrPath);
  const path = shipped ?? resolve(nameOrPath);
  if (!shipped && (!existsSync(path) || !['.yaml', '.yml', '.json'].includes(extname(path)))) {
    throw new SuiteValidationError(nameOrPath, [{ path: '', message: 'neither a shipped suite name nor an existing .yaml/.yml/.json file (see `distillery-bench list`)' }]);
  }
  const raw = parseSuiteText(readFileSync(path, 'utf8'), path);
  const quick = options.quick ?? false;
  // Check the other variant too (when it exists), so `run --quick` catches a broken full suite and vice versa.
  const hasQuick = typeof raw === 'object' && raw !== null && 'quick' in raw;
  if (hasQuick) validateSuite(raw, registry, path, !quick);
  return validateSuite(raw, registry, path, quick);
}
