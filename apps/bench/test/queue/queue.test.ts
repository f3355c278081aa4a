import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSuite, type RunTask } from '../../src/plan/plan-suite.js';
import { runIdOf, type RunConfig } from '../../src/plan/run-config.js';
import { runSuiteOnQueue, type QueueSuiteRunResult } from '../../src/queue/coordinator.js';
import { jobIdOf, parseJobResult, RUN_JOB_NAME, taskForJob, type RunJobData } from '../../src/queue/job-data.js';
import type { QueueRunEvent } from '../../src/queue/queue-executor.js';
import { QueueError } from '../../src/queue/queue-error.js';
import { DEFAULT_QUEUE_NAME, QUEUE_PREFIX } from '../../src/queue/queue-names.js';
import { startQueueWorker } from '../../src/queue/queue-worker.js';
import { packageVersions } from '../../src/queue/versions.js';
import { createRegistry } from '../../src/registry.js';
import type { ProgressSink } from '../../src/runner/progress.js';
import { runSuite, type SuiteRunResult } from '../../src/runner/run-suite.js';
import { validateSuite } from '../../src/suites/load-suite.js';
import { tinySuiteYaml } from '../helpers/tiny-suite.js';
import { spawnCli, type CliProcess } from './helpers/cli-process.js';
import { freePort, OPENSSL, REDIS_SERVER, selfSignedCertificate, startRedis, type RedisServer } from './helpers/redis-server.js';

/**
 * The queue end to end: this file starts its own redis-server on a free loopback port (skipped, with
 * the reason printed, when Debian's redis-server is not installed) and `distillery-bench worker`
 * processes from the sources. Short lock and stalled intervals make a killed worker's run move on
 * within a few seconds.
 */
if (!REDIS_SERVER) console.warn('queue tests skipped: redis-server is not installed (apt-get install redis-server; .ci/run installs it)');

const registry = createRegistry();
const suiteOf = (yaml: string, name: string) => validateSuite(parse(yaml), registry, `${name}.yaml`);
// Several epochs, so that workers report progress mid-run (at each epoch's end).
const tiny = suiteOf(tinySuiteYaml({ name: 'tiny', seeds: [1, 2] }).replace('epochs: { teacher: 1, student: 1 }', 'epochs: { teacher: 3, student: 2 }'), 'tiny');
const TIMING = new Set([7, 8]); // "train s" and "samples/s" columns of the table

/** The report's method table without the timing columns. */
function metricTable(markdownFile: string): string[] {
  const table = readFileSync(markdownFile, 'utf8').split('## Charts')[0]!.split('\n\n').find((p) => p.startsWith('| method'))!;
  return table.split('\n').map((row) => row.split('|').filter((_, i) => !TIMING.has(i - 1)).join('|'));
}
const metrics = (result: SuiteRunResult) => result.report.json.rows.map((r) => [r.id, r.seedsDone, r.errors, r.accuracy, r.ece, r.nll, r.agreement]);
const resultLines = (path: string): Array<{ runId: string }> =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { runId: string });
const quiet: ProgressSink = { start() {}, update() {}, log() {}, stop() {} };
const WORKER_FLAGS = ['--workers', '1', '--backend', 'cpu', '--lock-duration', '3000', '--stalled-interval', '1000'];

describe.skipIf(!REDIS_SERVER)('distributed runs on BullMQ (redis-server started by the test)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'bench-queue-'));
  let redis: RedisServer;
  let url: string;
  let inProcess: SuiteRunResult;
  const workers: CliProcess[] = [];
  let queue: Queue;
  let queueClient: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    url = `redis://127.0.0.1:${redis.port}`;
    queueClient = new Redis({ port: redis.port, host: '127.0.0.1', maxRetriesPerRequest: null });
    queue = new Queue(DEFAULT_QUEUE_NAME, { connection: queueClient, prefix: QUEUE_PREFIX });
    // The first worker transpiles the sources into the loader's cache; the second then starts fast.
    // Meanwhile this process trains the reference run in-process.
    const first = spawnCli(['worker', '--queue', url, ...WORKER_FLAGS]);
    workers.push(first);
    const ready = first.waitFor(/waiting for runs/, 150_000).then(async () => {
      const second = spawnCli(['worker', '--queue', url, ...WORKER_FLAGS]);
      workers.push(second);
      await second.waitFor(/waiting for runs/, 120_000);
    });
    inProcess = await runSuite(tiny, { outDir: join(folder, 'in-process'), workers: 0, backend: 'cpu' });
    await ready;
  }, 240_000);

  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await queue?.close();
    queueClient?.disconnect();
    await redis?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs a suite on two worker processes, one killed with SIGKILL mid-run: every run once, the same table as in-process', async () => {
    const byName = new Map(workers.map((w) => [`${hostname()}:${w.child.pid}`, w]));
    let killed: { worker: string; task: RunTask } | undefined;
    const stalled: string[] = [];
    const result = await runSuiteOnQueue(tiny, {
      url,
      outDir: join(folder, 'queue'),
      pollIntervalMs: 1000,
      onEvent: (event: QueueRunEvent) => {
        if (event.type === 'progress' && !killed) {
          const victim = byName.get(event.progress.worker);
          if (victim && event.progress.step < event.progress.totalSteps) {
            killed = { worker: event.progress.worker, task: event.task };
            victim.child.kill('SIGKILL');
          }
        }
        if (event.type === 'stalled') stalled.push(event.task.runId);
      },
    });
    expect(killed).toBeDefined();
    expect(stalled).toContain(killed!.task.runId);
    expect([result.outcome.computed.length, result.outcome.failed.length, result.outcome.skipped.length]).toEqual([6, 0, 0]);

    // Every run exactly once in the results file, and the same table as the in-process run.
    const ids = resultLines(result.paths.results).map((r) => r.runId);
    expect(ids).toHaveLength(6);
    expect(new Set(ids)).toEqual(new Set(inProcess.plan.tasks.map((t) => t.runId)));
    expect(metrics(result)).toEqual(metrics(inProcess));
    expect(metricTable(result.paths.markdown)).toEqual(metricTable(inProcess.paths.markdown));

    // The killed worker's run was started again and finished by the other one.
    const killedJob = await Job.fromId(queue, jobIdOf(killed!.task.runId, killed!.task.config, packageVersions(), 'train'));
    expect(parseJobResult(killedJob!.returnvalue).worker).not.toBe(killed!.worker);
    expect(killedJob!.attemptsStarted).toBeGreaterThanOrEqual(2);
    expect(result.queue.workers).toHaveLength(2);

    // Teachers travelled through Redis byte for byte: the saved models equal the in-process ones.
    for (const task of result.plan.tasks.filter((t) => t.saveFolder)) {
      const twin = inProcess.plan.tasks.find((t) => t.runId === task.runId)!;
      for (const file of readdirSync(twin.saveFolder!).filter((f) => f !== 'evaluation-models.json')) {
        expect(readFileSync(join(task.saveFolder!, file)).equals(readFileSync(join(twin.saveFolder!, file)))).toBe(true);
      }
    }
    expect(result.queue.overhead.resultToTableMs.count).toBe(6);
  }, 240_000);

  it('a restarted coordinator collects the finished runs from the queue, enqueues nothing new and redoes nothing', async () => {
    const before = await queue.getJobCounts();
    const starts = async (): Promise<Record<string, number>> => Object.fromEntries((await queue.getJobs(['completed'])).map((j) => [j.id, j.attemptsStarted]));
    const startsBefore = await starts();
    const reused: string[] = [];
    const again = await runSuiteOnQueue(tiny, { url, outDir: join(folder, 'restarted'), onEvent: (e) => void (e.type === 'reused' && reused.push(e.task.runId)) });
    expect(reused).toHaveLength(6);
    expect(await queue.getJobCounts()).toEqual(before);
    expect(before.completed).toBe(6);
    expect(metricTable(again.paths.markdown)).toEqual(metricTable(inProcess.paths.markdown));
    expect(await starts()).toEqual(startsBefore);
    // The teacher models came back from Redis into the new folder.
    for (const task of again.plan.tasks.filter((t) => t.saveFolder)) expect(existsSync(join(task.saveFolder!, 'model.json'))).toBe(true);
  }, 60_000);

  it('a coordinator stopped mid-suite and started again collects what finished meanwhile and enqueues the rest', async () => {
    const later = suiteOf(tinySuiteYaml({ name: 'later', seeds: [3] }), 'later');
    const out = join(folder, 'later');
    const controller = new AbortController();
    const stopped = await runSuiteOnQueue(later, { url, outDir: out, progress: quiet, signal: controller.signal, onEvent: (e) => void (e.type === 'active' && controller.abort()) });
    expect(stopped.interrupted).toBe(true);
    expect(stopped.outcome.computed).toHaveLength(0);
    // The teacher and the student alone were queued before the stop; the remaining worker finishes them.
    const queuedIds = stopped.plan.tasks.filter((t) => t.label !== 'KD seed 3').map((t) => jobIdOf(t.runId, t.config, packageVersions(), 'train'));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await Promise.all(queuedIds.map((id) => queue.getJobState(id)))).some((state) => state !== 'completed')) await new Promise((resolve) => setTimeout(resolve, 200));
    const reused: string[] = [];
    const resumed = await runSuiteOnQueue(later, { url, outDir: out, progress: quiet, onEvent: (e) => void (e.type === 'reused' && reused.push(e.task.label)) });
    expect(reused.sort()).toEqual(['student alone seed 3', 'teacher seed 3']);
    expect([resumed.outcome.computed.length, resumed.outcome.failed.length]).toEqual([3, 0]);
    expect(resultLines(resumed.paths.results).map((r) => r.runId).sort()).toEqual(resumed.plan.tasks.map((t) => t.runId).sort());
  }, 120_000);

  it('a run failing by its own fault (NaN loss) is failed with its error, not retried; its students are skipped', async () => {
    const diverging = suiteOf(tinySuiteYaml({ name: 'diverging', seeds: [1] }).replace('learningRate: 0.001', 'learningRate: 1e30'), 'diverging');
    const result = await runSuiteOnQueue(diverging, { url, outDir: join(folder, 'diverging'), progress: quiet });
    expect(result.outcome.failed.map((f) => f.task.label).sort()).toEqual(['student alone seed 1', 'teacher seed 1']);
    for (const failure of result.outcome.failed) expect(failure.error.message).toMatch(/loss term "ce" became NaN or Infinity/);
    expect(result.outcome.skipped.map((t) => t.label)).toEqual(['KD seed 1']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const teacher = result.plan.tasks.find((t) => t.label === 'teacher seed 1')!;
    const job = await Job.fromId(queue, jobIdOf(teacher.runId, teacher.config, packageVersions(), 'train'));
    expect([await job!.getState(), job!.attemptsMade]).toEqual(['failed', 1]);
    expect(job!.failedReason).toMatch(/NaN or Infinity/);
    // Running the suite again retries a failed run once, as an in-process re-run would.
    const retried: string[] = [];
    const again = await runSuiteOnQueue(diverging, { url, outDir: join(folder, 'diverging'), progress: quiet, onEvent: (e) => void (e.type === 'retried' && retried.push(e.task.label)) });
    expect(retried.sort()).toEqual(['student alone seed 1', 'teacher seed 1']);
    expect(again.outcome.failed).toHaveLength(2);
    expect((await Job.fromId(queue, job!.id!))!.attemptsMade).toBe(2);
  }, 120_000);

  it('a worker refuses a job needing a method or package versions it does not have, with the reason on the job', async () => {
    // Package versions: a coordinator that would plan with another @distillery/core.
    const versions = { ...packageVersions(), '@distillery/core': '99.0.0' };
    const refused = await runSuiteOnQueue(suiteOf(tinySuiteYaml({ name: 'newer', seeds: [1] }), 'newer'), { url, outDir: join(folder, 'newer'), progress: quiet, versions });
    expect(refused.outcome.failed.map((f) => f.task.label).sort()).toEqual(['student alone seed 1', 'teacher seed 1']);
    expect(refused.outcome.skipped.map((t) => t.label)).toEqual(['KD seed 1']);
    for (const failure of refused.outcome.failed) expect(failure.error.message).toMatch(/^refused by worker .+: package versions differ: @distillery\/core: job needs 99\.0\.0, this worker has \d+\.\d+\.\d+/);

    // A method: the job a newer coordinator would send for a scheme this worker lacks.
    const plan = planSuite(tiny, { artefacts: join(folder, 'forged') });
    const kd = plan.tasks.find((t) => t.label === 'KD seed 1')!;
    const config = { ...kd.config, method: { ...kd.config.method!, scheme: 'future-scheme' } } as RunConfig;
    const task: RunTask = { ...kd, runId: runIdOf(config), config };
    const data: RunJobData = { format: 1, kind: 'train', task: taskForJob(task, new Map()), versions: packageVersions(), folderJobs: {} };
    const jobId = jobIdOf(task.runId, config, data.versions, 'train');
    await queue.add(RUN_JOB_NAME, data, { jobId });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await queue.getJobState(jobId)) !== 'failed') await new Promise((resolve) => setTimeout(resolve, 100));
    const job = await Job.fromId(queue, jobId);
    expect(await job!.getState()).toBe('failed');
    expect(job!.failedReason).toMatch(/^refused by worker .+: KD seed 1 needs no scheme "future-scheme" \(this worker has: .*offline/);
    expect(job!.attemptsMade).toBe(1);
  }, 120_000);

  it('an unreachable Redis is a clear error within seconds, from the coordinator and from `worker`', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await runSuiteOnQueue(tiny, { url: `redis://bench:hunter2@127.0.0.1:${port}`, outDir: join(folder, 'unreachable') }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(QueueError);
    expect((error as QueueError).message).toMatch(new RegExp(`^cannot reach Redis at redis://bench:\\*\\*\\*@127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(existsSync(join(folder, 'unreachable'))).toBe(false);

    // An address that never answers: the connect deadline applies.
    const silent = Date.now();
    const timeout = await runSuiteOnQueue(tiny, { url: 'redis://10.255.255.1:6379', outDir: join(folder, 'unreachable'), connect: { timeoutMs: 1000 } }).catch((e: unknown) => e);
    expect(Date.now() - silent).toBeLessThan(3000);
    expect((timeout as QueueError).code).toBe('QUEUE_UNREACHABLE');

    const cli = spawnCli(['worker', '--queue', `redis://bench:hunter2@127.0.0.1:${port}`]);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toMatch(/distillery-bench: cannot reach Redis at redis:\/\/bench:\*\*\*@127\.0\.0\.1:\d+: .*ECONNREFUSED.* \(start Redis/);
    expect(cli.output()).not.toContain('hunter2');
  }, 120_000);
});

describe.skipIf(!REDIS_SERVER)(`a password-protected Redis${OPENSSL ? ' over TLS (rediss://)' : ' (no openssl here: without TLS)'}`, () => {
  const folder = mkdtempSync(join(tmpdir(), 'bench-queue-auth-'));
  const password = 'pa$$:w/rd#1';
  let server: RedisServer;
  let url: string;
  let ca: string | undefined;

  beforeAll(async () => {
    const certificate = OPENSSL ? selfSignedCertificate(folder) : undefined;
    server = await startRedis({ password, ...(certificate ? { tls: certificate } : {}) });
    ca = certificate ? readFileSync(certificate.cert, 'utf8') : undefined;
    url = `${certificate ? 'rediss' : 'redis'}://:${encodeURIComponent(password)}@127.0.0.1:${server.port}`;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('works end to end and writes the password nowhere: results, reports, logs, job data', async () => {
    const lines: string[] = [];
    const connect = ca ? { tls: { ca } } : {};
    const worker = await startQueueWorker({ url, threads: 0, connect, log: (line) => lines.push(line) });
    let result: QueueSuiteRunResult;
    try {
      result = await runSuiteOnQueue(suiteOf(tinySuiteYaml({ name: 'secret', seeds: [1] }), 'secret'), {
        url,
        connect,
        noop: true,
        outDir: join(folder, 'out'),
        progress: { ...quiet, log: (line) => lines.push(line) },
      });
    } finally {
      await worker.close();
    }
    expect(result.outcome.computed).toHaveLength(3);
    expect(result.queue.server).toMatch(/^rediss?:\/\/:\*\*\*@127\.0\.0\.1:\d+$/);
    expect(lines.some((line) => line.includes(':***@127.0.0.1'))).toBe(true);
    const secret = /pa\$\$|w\/rd#1|pa%24%24/;
    const files = readdirSync(join(folder, 'out'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(readFileSync(join(file.parentPath, file.name), 'utf8')).not.toMatch(secret);
    expect(lines.join('\n')).not.toMatch(secret);
    expect(JSON.stringify(result.queue)).not.toMatch(secret);
    // Everything the queue stored in Redis.
    const client = new Redis({ port: server.port, host: '127.0.0.1', password, ...(ca ? { tls: { ca } } : {}) });
    try {
      const keys = await client.keys('*');
      expect(keys.length).toBeGreaterThan(3);
      for (const key of keys) {
        const type = await client.type(key);
        const content = type === 'hash' ? await client.hgetall(key) : type === 'string' ? await client.get(key) : type === 'stream' ? await client.xrange(key, '-', '+') : type === 'zset' ? await client.zrange(key, '0', '-1') : type === 'list' ? await client.lrange(key, '0', '-1') : '';
        expect(JSON.stringify(content)).not.toMatch(secret);
      }
    } finally {
      client.disconnect();
    }
  }, 60_000);

  it('a wrong password is refused at once, without echoing it', async () => {
    const wrong = url.replace(encodeURIComponent(password), 'not-it-42');
    const error = await runSuiteOnQueue(tiny, { url: wrong, outDir: join(folder, 'wrong'), connect: ca ? { tls: { ca } } : {} }).catch((e: unknown) => e);
    expect((error as QueueError).message).toMatch(/^Redis refused the credentials at rediss?:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS/);
    expect((error as QueueError).message).not.toContain('not-it-42');
  }, 30_000);
});
