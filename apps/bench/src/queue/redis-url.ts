import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { QueueError } from './queue-error.js';

/** A --queue URL taken apart: what ioredis needs, and a form safe to print. */
export interface RedisTarget {
  readonly options: Pick<RedisOptions, 'host' | 'port' | 'username' | 'password' | 'db' | 'tls'>;
  /** the URL with any password replaced by `***`: the only form written to logs, results and jobs */
  readonly redacted: string;
}

const HINT = 'give redis://[user:password@]host[:port][/db] or rediss://... for TLS';

/**
 * Parses `redis://` and `rediss://` URLs with the URL class (user names and passwords may be
 * percent-encoded; `/2` selects database 2). `rediss://` turns TLS on, verifying the server's
 * certificate against Node's CA store (add a private CA with NODE_EXTRA_CA_CERTS).
 */
export function parseRedisUrl(text: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not echoed: a mistyped URL may still hold a password.
    throw new QueueError('QUEUE_URL_INVALID', 'the --queue value is not a URL', HINT);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new QueueError('QUEUE_URL_INVALID', `--queue "${redactRedisUrl(text)}" is not a redis:// or rediss:// URL`, HINT);
  }
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new QueueError('QUEUE_URL_INVALID', `--queue "${redactRedisUrl(text)}" names database "${dbText}"`, 'the path must be a database number, e.g. redis://host:6379/0');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    options: {
      host: host || '127.0.0.1',
      port: url.port ? Number(url.port) : 6379,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      db,
      // SNI names hosts, not addresses (RFC 6066); the certificate is checked against either.
      ...(url.protocol === 'rediss:' ? { tls: isIP(host) ? {} : { servername: host } } : {}),
    },
    redacted: redactRedisUrl(text),
  };
}

/** The URL without its password; text that is not a URL is not shown at all. */
export function redactRedisUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}
