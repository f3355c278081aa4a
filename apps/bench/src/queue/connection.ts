import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import { QueueError } from './queue-error.js';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';

/** The Redis behind a --queue URL: checked reachable, and a source of clients for BullMQ. */
export interface QueueConnection {
  readonly target: RedisTarget;
  /**
   * A new client for one BullMQ object (Queue, Worker, QueueEvents). BullMQ requires
   * `maxRetriesPerRequest: null` (commands wait out a reconnect instead of failing), and it reconnects
   * with backoff for as long as the process lives: a Redis restart pauses the work, it does not end it.
   */
  client(name: string): Redis;
  /** disconnects every client handed out */
  close(): Promise<void>;
}

/** How long a first connection may take before the queue is declared unreachable. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export interface ConnectOptions {
  /** first connection deadline (default 5 s) */
  readonly timeoutMs?: number;
  /**
   * Extra TLS options for rediss:// URLs (a private CA, client certificates). From the CLI, give a
   * private CA with Node's NODE_EXTRA_CA_CERTS=<file> instead.
   */
  readonly tls?: TlsOptions;
}

/** Parses the URL and connects once, failing fast: an unreachable or refusing Redis is a QueueError within `timeoutMs`. */
export async function connectQueue(url: string, options: ConnectOptions = {}): Promise<QueueConnection> {
  const parsed = parseRedisUrl(url);
  const target: RedisTarget = parsed.options.tls && options.tls ? { ...parsed, options: { ...parsed.options, tls: { ...parsed.options.tls, ...options.tls } } } : parsed;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  await probe(target, timeoutMs);
  const clients: Redis[] = [];
  return {
    target,
    client(name) {
      const client = new Redis({ ...target.options, connectionName: `distillery-bench:${name}`, maxRetriesPerRequest: null, connectTimeout: timeoutMs });
      // ioredis reports lost connections as 'error' events while it reconnects; BullMQ surfaces them
      // on its own objects, where the callers log them. Without a listener ioredis prints them itself.
      client.on('error', () => {});
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.splice(0).map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}

function hintFor(reason: string, target: RedisTarget): string {
  if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(reason)) return 'check the user name and password in the --queue URL (percent-encode special characters)';
  if (/certificate|self.signed|CERT_|unable to verify/i.test(reason)) return "the server's TLS certificate is not trusted here: give its CA with NODE_EXTRA_CA_CERTS=<ca.pem>";
  if (!target.options.tls && /ECONNRESET|socket closed|Connection is closed/i.test(reason)) return 'the server closed the connection: if it speaks TLS, use rediss://';
  return 'start Redis (see "Scale out" in docs/benchmarks/README.md) or fix the --queue URL';
}

/** One connection without retries: PING, then disconnect. */
async function probe(target: RedisTarget, timeoutMs: number): Promise<void> {
  const probeOptions: RedisOptions = {
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  };
  const client = new Redis(probeOptions);
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      deadline,
    ]);
  } catch (error) {
    const reason = (lastError ?? (error instanceof Error ? error : new Error(String(error)))).message;
    throw new QueueError('QUEUE_UNREACHABLE', `${/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(reason) ? 'Redis refused the credentials' : 'cannot reach Redis'} at ${target.redacted}: ${reason}`, hintFor(reason, target));
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
