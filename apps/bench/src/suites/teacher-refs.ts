import type { TeacherRef } from './schema.js';

/** A row that can teach: a teacher row, or a method row whose trained student teaches the next stage. */
export interface TeachingRow {
  readonly kind: 'teacher' | 'method';
  readonly group: string;
  readonly id: string;
  /** index in the suite's `teachers` or `methods` list */
  readonly index: number;
}

export interface NormalisedRef {
  readonly id: string;
  readonly blackBox: boolean;
  /** where the reference is written, for messages */
  readonly path: string;
}

/** `teacher: x`, `teacher: { id, blackBox }` or `teachers: [...]` as one list. */
export function teacherRefsOf(row: { readonly teacher?: TeacherRef | undefined; readonly teachers?: readonly TeacherRef[] | undefined }, path: string): NormalisedRef[] {
  const normalise = (ref: TeacherRef, at: string): NormalisedRef => (typeof ref === 'string' ? { id: ref, blackBox: false, path: at } : { id: ref.id, blackBox: ref.blackBox, path: at });
  if (row.teachers) return row.teachers.map((ref, i) => normalise(ref, `${path}.teachers[${i}]`));
  return row.teacher === undefined ? [] : [normalise(row.teacher, `${path}.teacher`)];
}

/**
 * The row a reference names: the row of that id in the referring row's group first, else the only row of
 * that id in the suite. Teacher rows win over method rows of the same id.
 */
export function findTeachingRow(rows: readonly TeachingRow[], id: string, group: string): { row: TeachingRow } | { message: string } {
  const named = rows.filter((r) => r.id === id);
  const inGroup = named.filter((r) => r.group === group);
  const pick = (list: readonly TeachingRow[]): TeachingRow | undefined => list.find((r) => r.kind === 'teacher') ?? list[0];
  const own = pick(inGroup);
  if (own) return { row: own };
  const groups = new Set(named.map((r) => r.group));
  if (groups.size === 1) return { row: pick(named)! };
  if (groups.size > 1) return { message: `several groups have a row "${id}": put this row in one of those groups` };
  const known = [...new Set(rows.map((r) => r.id))].join(', ') || 'none';
  return { message: `no teacher or method row with id "${id}" (known: ${known})` };
}

/**
 * Method rows that learn from other method rows form chains (teacher -> assistant -> student); a chain
 * that comes back to where it started can never run. Returns each cycle once, as row ids in order.
 */
export function findCycles(edges: ReadonlyMap<number, readonly number[]>, idOf: (index: number) => string): Array<{ start: number; ids: string[] }> {
  const state = new Map<number, 'open' | 'done'>();
  const cycles: Array<{ start: number; ids: string[] }> = [];
  const stack: number[] = [];
  const visit = (node: number): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const seen = state.get(next);
      if (seen === 'open') {
        const loop = stack.slice(stack.indexOf(next));
        cycles.push({ start: next, ids: [...loop, next].map(idOf) });
      } else if (seen === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...edges.keys()].sort((a, b) => a - b)) if (!state.has(node)) visit(node);
  return cycles;
}
