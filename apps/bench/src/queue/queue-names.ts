/** The queue every coordinator and worker uses unless told otherwise (--queue-name). */
export const DEFAULT_QUEUE_NAME = 'distillery-bench';

/** BullMQ's key prefix for the bench's queues: `distillery:<queue>:...` keys in Redis. */
export const QUEUE_PREFIX = 'distillery';

/** Redis hashes holding runs' saved folders (teacher models) live under this prefix. */
export const filesKeyPrefix = (queueName: string): string => `${QUEUE_PREFIX}:${queueName}:files`;
