/** How text is cut into words before WordPiece splits the words into pieces. */
export interface PreTokenizeOptions {
  /** lower-case the text first (BERT "uncased") */
  readonly lowercase: boolean;
}

// Control and format characters (NUL, zero-width joiners, BOMs...) carry no meaning for the model and
// would otherwise become vocabulary entries; BERT's basic tokenizer drops them too.
const CONTROL = /[\p{Cc}\p{Cf}]/gu;
// A word is a run of letters (with their combining marks), a run of digits, or one other visible
// character (punctuation, symbols), so "don't" -> don ' t and "$19.99" -> $ 19 . 99.
const PIECES = /\p{L}[\p{L}\p{M}]*|\p{N}+|[^\s\p{L}\p{N}]/gu;

/** The normalised text: control characters replaced by spaces, optionally lower-cased. */
export function normalizeText(text: string, options: PreTokenizeOptions): string {
  const cleaned = text.replace(CONTROL, ' ');
  return options.lowercase ? cleaned.toLowerCase() : cleaned;
}

/** Words, numbers and single punctuation characters of the normalised text, in order. */
export function preTokenize(text: string, options: PreTokenizeOptions): string[] {
  return normalizeText(text, options).match(PIECES) ?? [];
}

/**
 * Calls `visit` with each word in order and stops as soon as it returns false: encoding a long e-mail
 * to 128 tokens then only scans as much text as it needs.
 */
export function forEachWord(text: string, options: PreTokenizeOptions, visit: (word: string) => boolean): void {
  const normalized = normalizeText(text, options);
  const pattern = new RegExp(PIECES.source, PIECES.flags);
  for (let match = pattern.exec(normalized); match !== null; match = pattern.exec(normalized)) {
    if (!visit(match[0])) return;
  }
}
