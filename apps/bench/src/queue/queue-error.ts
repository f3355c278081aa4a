/** Why the queue could not be used; `code` is stable, the message says what to do. */
export type QueueErrorCode = 'QUEUE_URL_INVALID' | 'QUEUE_UNREACHABLE';

/**
 * A problem with the job queue itself (not with a run): a malformed --queue URL or a Redis that does
 * not answer. Messages name the server by its redacted URL, never with its password.
 */
export class QueueError extends Error {
  constructor(
    readonly code: QueueErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(`${message} (${hint})`);
    this.name = 'QueueError';
  }
}
