import { mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsStore, parseResultLines } from '../src/runner/results-store.js';
import type { RunRecord } from '../src/runner/run-record.js';

const record = (runId: string, extra: Record<string, unknown> = {}): RunRecord => ({ runId, format: 1, ...extra }) as unknown as RunRecord;

describe('results file (JSON lines)', () => {
  it('counts only complete lines; a repeated run id keeps the last line', () => {
    const text = `${JSON.stringify(record('a', { n: 1 }))}\n${JSON.stringify(record('b'))}\n${JSON.stringify(record('a', { n: 2 }))}\n{"runId":"c","fo`;
    const { records, completeLength } = parseResultLines(text);
    expect([...records.keys()]).toEqual(['a', 'b']);
    expect((records.get('a') as unknown as { n: number }).n).toBe(2);
    expect(completeLength).toBe(text.lastIndexOf('\n') + 1);
  });

  it('drops a torn last line on open and appends after the last complete one', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'bench-store-'));
    const path = join(folder, 'suite.jsonl');
    writeFileSync(path, `${JSON.stringify(record('a'))}\n`);
    appendFileSync(path, '{"runId":"b","format":1,"las');
    const store = await ResultsStore.open(path);
    expect(store.droppedBytes).toBe('{"runId":"b","format":1,"las'.length);
    expect(store.has('a')).toBe(true);
    expect(store.has('b')).toBe(false);
    await store.append(record('b'));
    await store.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toEqual([JSON.stringify(record('a')), JSON.stringify(record('b')), '']);
    expect((await ResultsStore.read(path)).records.size).toBe(2);
  });

  it('refuses a complete line that is not JSON (an edited file) with CHECKPOINT_CORRUPT', () => {
    expect(() => parseResultLines('{"runId":"a"}\nnot json\n')).toThrow(expect.objectContaining({ code: 'CHECKPOINT_CORRUPT' }) as Error);
  });
});
