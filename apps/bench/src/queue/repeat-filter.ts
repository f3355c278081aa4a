/**
 * Passes a message on unless it repeats the previous one within `windowMs`: while Redis is down,
 * ioredis reports every reconnect attempt, and one line per attempt would bury everything else.
 * When another message comes, a line first says how often the held one repeated.
 */
export function repeatFilter(emit: (message: string) => void, windowMs = 30_000): (message: string) => void {
  let last = '';
  let lastAt = 0;
  let held = 0;
  return (message) => {
    const now = Date.now();
    if (message === last && now - lastAt < windowMs) {
      held += 1;
      return;
    }
    if (held > 0) emit(`${last} (repeated ${held} more time${held === 1 ? '' : 's'})`);
    emit(message);
    last = message;
    lastAt = now;
    held = 0;
  };
}
