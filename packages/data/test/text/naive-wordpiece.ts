// A deliberately simple reference for the trainer: recount every pair over every word at every step.
// Slow (vocabulary x corpus) but obviously the definition, so the fast incremental trainer is checked against it.

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function naiveVocabulary(wordCounts: ReadonlyMap<string, number>, vocabSize: number, minFrequency: number): string[] {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
  const symbolCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) {
    Array.from(word).forEach((char, i) => {
      const own = i === 0 ? char : `##${char}`;
      symbolCounts.set(own, (symbolCounts.get(own) ?? 0) + count);
      for (const form of [char, `##${char}`]) if (!symbolCounts.has(form)) symbolCounts.set(form, 0);
    });
  }
  const alphabet = [...symbolCounts].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).slice(0, vocabSize - 4).map(([s]) => s);
  const vocab = [...specials, ...alphabet];
  const known = new Set(vocab);
  const words = [...wordCounts]
    .map(([word, count]) => ({ symbols: Array.from(word, (c, i) => (i === 0 ? c : `##${c}`)), count }))
    .filter((w) => w.symbols.length > 1 && w.symbols.every((s) => known.has(s)));
  while (vocab.length < vocabSize) {
    const pairs = new Map<string, { left: string; right: string; count: number }>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.symbols.length; i++) {
        const left = w.symbols[i] as string;
        const right = w.symbols[i + 1] as string;
        const key = `${left}\u0000${right}`;
        const entry = pairs.get(key) ?? { left, right, count: 0 };
        entry.count += w.count;
        pairs.set(key, entry);
      }
    }
    const best = [...pairs.values()].sort((a, b) => b.count - a.count || cmp(a.left, b.left) || cmp(a.right, b.right))[0];
    if (!best || best.count < minFrequency) break;
    const merged = best.left + best.right.slice(2);
    if (!known.has(merged)) {
      known.add(merged);
      vocab.push(merged);
    }
    for (const w of words) {
      const next: string[] = [];
      for (let i = 0; i < w.symbols.length; i++) {
        if (w.symbols[i] === best.left && w.symbols[i + 1] === best.right) {
          next.push(merged);
          i++;
        } else next.push(w.symbols[i] as string);
      }
      w.symbols = next;
    }
  }
  return vocab;
}
