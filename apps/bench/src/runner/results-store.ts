import { existsSync } from 'node:fs';
import { mkdir, open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CheckpointCorruptError } from '@distillery/core';
import type { RunRecord } from './run-record.js';

export interface LoadedResults {
  /** finished runs by id; a run written twice counts once (the last line wins) */
  readonly records: ReadonlyMap<string, RunRecord>;
  /** bytes of a torn last line (a crash mid-write) that were dropped */
  readonly droppedBytes: number;
}

/** Complete lines of a JSON-lines text: a last line without its newline is torn and not counted. */
export function parseResultLines(text: string): { records: Map<string, RunRecord>; completeLength: number } {
  const records = new Map<string, RunRecord>();
  const end = text.lastIndexOf('\n') + 1;
  text
    .slice(0, end)
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let record: RunRecord;
      try {
        record = JSON.parse(line) as RunRecord;
      } catch (error) {
        // A complete line is written in one append and fsynced: a bad one was edited by hand.
        throw new CheckpointCorruptError(`line ${i + 1} of the results`, error instanceof Error ? error.message : String(error));
      }
      records.set(record.runId, record);
    });
  return { records, completeLength: Buffer.byteLength(text.slice(0, end)) };
}

/**
 * The results of a suite as JSON lines, one finished run per line. Each line is appended with a single
 * write of the complete line followed by fsync, so a crash (even kill -9) leaves every earlier line
 * intact and at worst a torn last line, which the next open drops before appending again.
 * Only one writer at a time: the main thread; workers send their records to it.
 */
export class ResultsStore {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly records: Map<string, RunRecord>,
  ) {}

  /** Reads the file (if any), truncates a torn last line, and opens it for appending. */
  static async open(path: string): Promise<ResultsStore & { readonly droppedBytes: number }> {
    await mkdir(dirname(path), { recursive: true });
    const { records, droppedBytes } = await ResultsStore.read(path);
    if (droppedBytes > 0) {
      const size = (await readFile(path)).byteLength;
      await truncate(path, size - droppedBytes);
    }
    const handle = await open(path, 'a');
    return Object.assign(new ResultsStore(path, handle, new Map(records)), { droppedBytes });
  }

  /** Reads finished runs without opening for writing (for `report`). */
  static async read(path: string): Promise<LoadedResults> {
    if (!existsSync(path)) return { records: new Map(), droppedBytes: 0 };
    const buffer = await readFile(path);
    const { records, completeLength } = parseResultLines(buffer.toString('utf8'));
    return { records, droppedBytes: buffer.byteLength - completeLength };
  }

  has(runId: string): boolean {
    return this.records.has(runId);
  }

  get(runId: string): RunRecord | undefined {
    return this.records.get(runId);
  }

  all(): ReadonlyMap<string, RunRecord> {
    return this.records;
  }

  async append(record: RunRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    await this.handle.appendFile(line);
    await this.handle.sync();
    this.records.set(record.runId, record);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
