import type { Registry } from '@distillery/core';
import { parseSuiteText } from '../suites/load-suite.js';
import { readShippedSuite, shippedSuiteNames } from '../suites/shipped.js';

export interface SuiteListing {
  readonly name: string;
  readonly description: string;
  readonly hasQuick: boolean;
  readonly references: readonly string[];
}

/** The shipped suites (read, not fully validated) and every registered method with its reference. */
export function listing(registry: Registry): { suites: SuiteListing[]; schemes: object[]; losses: object[] } {
  const suites = shippedSuiteNames().map((name) => {
    const raw = parseSuiteText(readShippedSuite(name), `${name}.yaml`) as Record<string, unknown>;
    const references = Object.values((raw['references'] ?? {}) as Record<string, { authors: string; year: number; title: string }>);
    return {
      name,
      description: String(raw['description'] ?? ''),
      hasQuick: typeof raw['quick'] === 'object' && raw['quick'] !== null,
      references: references.map((r) => `${r.authors} ${r.year}, ${r.title}`),
    };
  });
  const schemes = registry.schemes().map((s) => ({ name: s.name, summary: s.summary, defaults: s.defaults, reference: s.reference }));
  const losses = registry.losses().map((l) => ({ name: l.name, knowledge: l.knowledge, summary: l.summary, defaults: l.defaults, reference: l.reference }));
  return { suites, schemes, losses };
}

export function formatListing(registry: Registry): string {
  const { suites } = listing(registry);
  const lines = ['suites (distillery-bench run <name> [--quick]):'];
  for (const s of suites) {
    lines.push(`  ${s.name.padEnd(16)} ${s.description}${s.hasQuick ? '' : ' (no --quick variant)'}`);
    for (const r of s.references) lines.push(`  ${''.padEnd(16)}   ref: ${r}`);
  }
  lines.push('schemes:');
  for (const s of registry.schemes()) lines.push(`  ${s.name.padEnd(16)} ${s.summary} [${s.reference.authors} ${s.reference.year}]`);
  lines.push('losses:');
  for (const l of registry.losses()) lines.push(`  ${l.name.padEnd(16)} ${l.summary} [${l.reference.authors} ${l.reference.year}]`);
  return `${lines.join('\n')}\n`;
}
