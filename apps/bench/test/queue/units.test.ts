import { describe, expect, it } from 'vitest';
import { distribution } from '../../src/queue/overhead.js';
import { repeatFilter } from '../../src/queue/repeat-filter.js';
import { QueueError } from '../../src/queue/queue-error.js';
import { parseRedisUrl, redactRedisUrl } from '../../src/queue/redis-url.js';
import { FOLDER_MARKER, markedRuns, taskForJob, taskWithFolders } from '../../src/queue/job-data.js';
import type { RunTask } from '../../src/plan/plan-suite.js';

describe('--queue URLs', () => {
  it('parses host, port, database, user and a percent-encoded password', () => {
    const { options, redacted } = parseRedisUrl('redis://alice:p%40ss%3Aw0rd@redis.example:6380/3');
    expect(options).toEqual({ host: 'redis.example', port: 6380, username: 'alice', password: 'p@ss:w0rd', db: 3 });
    expect(redacted).toBe('redis://alice:***@redis.example:6380/3');
    expect(redacted).not.toContain('w0rd');
  });

  it('defaults to port 6379 and database 0, and turns TLS on for rediss:// (SNI for names, not addresses)', () => {
    expect(parseRedisUrl('redis://localhost').options).toEqual({ host: 'localhost', port: 6379, db: 0 });
    expect(parseRedisUrl('rediss://:secret@cache.example').options).toEqual({ host: 'cache.example', port: 6379, password: 'secret', db: 0, tls: { servername: 'cache.example' } });
    expect(parseRedisUrl('rediss://127.0.0.1:6390').options.tls).toEqual({});
    expect(parseRedisUrl('redis://[::1]:7000').options).toMatchObject({ host: '::1', port: 7000 });
  });

  it('refuses other schemes and bad databases with a QUEUE_URL_INVALID error that does not echo the password', () => {
    for (const bad of ['http://u:hunter2@host:6379', 'redis://u:hunter2@host/x', 'not a url :hunter2@']) {
      let caught: unknown;
      try {
        parseRedisUrl(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(QueueError);
      expect((caught as QueueError).code).toBe('QUEUE_URL_INVALID');
      expect((caught as QueueError).message).not.toContain('hunter2');
    }
    expect(redactRedisUrl('redis://u:hunter2@host:1')).toBe('redis://u:***@host:1');
  });
});

describe('job data', () => {
  const task = {
    runId: 'aaaaaaaaaaaaaaaa',
    suite: 's',
    label: 'KD seed 1',
    config: { seed: 1 },
    teacherFolders: ['/out/s/teachers/bbbbbbbbbbbbbbbb'],
    saveFolder: '/out/s/models/aaaaaaaaaaaaaaaa',
    sourceFolder: undefined,
  } as unknown as RunTask;
  const saved = new Map([
    ['/out/s/teachers/bbbbbbbbbbbbbbbb', 'bbbbbbbbbbbbbbbb'],
    ['/out/s/models/aaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaa'],
  ]);

  it('carries no coordinator paths: saved folders become markers, and a worker swaps in its own folders', () => {
    const carried = taskForJob(task, saved);
    expect(JSON.stringify(carried)).not.toContain('/out/');
    expect((carried as unknown as { teacherFolders: string[] }).teacherFolders).toEqual([`${FOLDER_MARKER}bbbbbbbbbbbbbbbb`]);
    expect(markedRuns(carried).sort()).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
    const local = taskWithFolders(carried, new Map([['bbbbbbbbbbbbbbbb', '/tmp/w/in/b'], ['aaaaaaaaaaaaaaaa', '/tmp/w/out/a']]));
    expect([local.teacherFolders, local.saveFolder]).toEqual([['/tmp/w/in/b'], '/tmp/w/out/a']);
  });

  it('summarises timings by median and 95th percentile', () => {
    expect(distribution([5, 1, 4, 2, 3])).toEqual({ count: 5, median: 3, p95: 5, mean: 3, max: 5 });
    expect(distribution(Array.from({ length: 100 }, (_, i) => i + 1))).toMatchObject({ median: 50, p95: 95 });
  });
});

describe('repeated queue errors', () => {
  it('are shown once per window, with a count of the held-back repeats before the next different message', () => {
    const shown: string[] = [];
    const filter = repeatFilter((m) => shown.push(m), 60_000);
    for (let i = 0; i < 5; i++) filter('connect ECONNREFUSED');
    filter('ready');
    filter('connect ECONNREFUSED');
    expect(shown).toEqual(['connect ECONNREFUSED', 'connect ECONNREFUSED (repeated 4 more times)', 'ready', 'connect ECONNREFUSED']);
  });
});
