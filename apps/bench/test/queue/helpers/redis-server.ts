import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** Debian's redis-server (apt-get install redis-server), or undefined when it is not installed. */
export const REDIS_SERVER: string | undefined = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => spawnSync(path, ['--version']).status === 0);

export const OPENSSL: string | undefined = ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((path) => spawnSync(path, ['version']).status === 0);

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  readonly password?: string;
  /** serve TLS only, with this certificate and key (PEM files) */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/**
 * Starts this test's own redis-server on a free loopback port (not daemonised: it is this process's
 * child and dies with stop()), with nothing persisted, and waits until it answers PING.
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!REDIS_SERVER) throw new Error('redis-server is not installed');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'];
    if (options.tls) args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-auth-clients', 'no');
    else args.push('--port', String(port));
    if (options.password !== undefined) args.push('--requirepass', options.password);
    const child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    };
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, ...(options.password !== undefined ? { password: options.password } : {}), ...(options.tls ? { tls: { rejectUnauthorized: false } } : {}) });
      probe.on('error', () => {});
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return { port, stop };
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        probe.disconnect();
      }
    }
    await stop();
    // Another process took the port between freePort() and the server's bind: try another.
    if (attempt >= 2) throw new Error(`redis-server did not start on port ${port}`);
  }
}

/** A self-signed certificate for 127.0.0.1 (also its own CA), made with openssl. */
export function selfSignedCertificate(folder: string): { readonly cert: string; readonly key: string } {
  if (!OPENSSL) throw new Error('openssl is not installed');
  const cert = `${folder}/redis.crt`;
  const key = `${folder}/redis.key`;
  const made = spawnSync(OPENSSL, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { cert, key };
}
