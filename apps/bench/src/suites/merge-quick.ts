import type { SuiteIssue } from './suite-error.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const rowKey = (row: Json): string => `${typeof row['group'] === 'string' ? row['group'] : ''}\u0000${String(row['id'])}`;

/** Rows (teachers, methods) merge by group + id, so a quick variant can change one row's epochs or data. */
function mergeRows(base: unknown[], overrides: unknown[], path: string, issues: SuiteIssue[]): unknown[] {
  const merged = [...base];
  overrides.forEach((override, i) => {
    const at = merged.findIndex((row) => isObject(row) && isObject(override) && rowKey(row) === rowKey(override));
    if (!isObject(override) || at < 0) {
      issues.push({ path: `quick.${path}[${i}]`, message: 'names no row of the suite (rows are matched by group and id)' });
      return;
    }
    merged[at] = deepMerge(merged[at] as Json, override, `${path}[${at}]`, issues);
  });
  return merged;
}

/** Objects merge key by key; arrays and scalars are replaced, except row lists (see mergeRows). */
export function deepMerge(base: Json, overrides: Json, path: string, issues: SuiteIssue[]): Json {
  const result: Json = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const here = path ? `${path}.${key}` : key;
    const current = result[key];
    if ((key === 'teachers' || key === 'methods') && path === '' && Array.isArray(current) && Array.isArray(value)) {
      result[key] = mergeRows(current, value, here, issues);
    } else if (isObject(current) && isObject(value)) {
      result[key] = deepMerge(current, value, here, issues);
    } else {
      result[key] = value;
    }
  }
  return result;
}

/**
 * The `--quick` variant of a raw suite object: its `quick` block merged over the rest. Name and
 * description get a "-quick" / "(quick)" suffix unless the block sets them, so both variants keep
 * separate result files.
 */
export function quickVariant(raw: Json, issues: SuiteIssue[]): Json {
  const { quick, ...base } = raw;
  if (!isObject(quick)) {
    issues.push({ path: 'quick', message: 'this suite has no quick variant (add a `quick:` block of overrides)' });
    return base;
  }
  const merged = deepMerge(base, quick, '', issues);
  if (!('name' in quick)) merged['name'] = `${String(base['name'])}-quick`;
  if (!('description' in quick)) merged['description'] = `${String(base['description'])} (quick variant)`;
  return merged;
}
