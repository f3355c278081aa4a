import { ConfigError } from './errors.js';

/**
 * Runtime checks for the options of losses, schemes and models. Options arrive from JSON suite files and
 * queued jobs as well as from TypeScript, so the types alone prove nothing: every check takes `unknown`
 * and returns the value narrowed. Each throws a ConfigError whose message reads
 * `<owner>: <option> must be ..., got <value>`; `hint` replaces the default fix text.
 */

/** The offending value as it reads in a message: strings quoted so "4" and 4 stay apart, objects as JSON. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value); // a cycle
    }
  }
  return String(value);
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export function requirePositive(owner: string, option: string, value: unknown, hint = `pass a positive ${option}`): number {
  if (!isFiniteNumber(value) || value <= 0) throw new ConfigError(`${owner}: ${option} must be a finite number > 0, got ${show(value)}`, hint);
  return value;
}

/** The default hint assumes the usual case, a weight of a term of the objective. */
export function requireNonNegative(
  owner: string,
  option: string,
  value: unknown,
  hint = `${option} weights a term of the objective; 0 switches it off`,
): number {
  if (!isFiniteNumber(value) || value < 0) throw new ConfigError(`${owner}: ${option} must be a finite number >= 0, got ${show(value)}`, hint);
  return value;
}

export function requirePositiveInteger(owner: string, option: string, value: unknown, hint = `pass a whole number of ${option}`): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${owner}: ${option} must be an integer >= 1, got ${show(value)}`, hint);
  }
  return value;
}

/** A number in [low, high], both ends included. */
export function requireInRange(
  owner: string,
  option: string,
  value: unknown,
  low: number,
  high: number,
  hint = `pick ${option} between ${low} and ${high}`,
): number {
  if (!isFiniteNumber(value) || value < low || value > high) {
    throw new ConfigError(`${owner}: ${option} must be a number in [${low}, ${high}], got ${show(value)}`, hint);
  }
  return value;
}

/** A fraction of training or a share of the objective: [0, 1], both ends included. */
export function requireFraction(
  owner: string,
  option: string,
  value: unknown,
  hint = `${option} is a fraction of training (or a share of the objective)`,
): number {
  return requireInRange(owner, option, value, 0, 1, hint);
}

/** [0, 1): a rate that may be 0 but never 1 (label smoothing, dropout). */
export function requireHalfOpenUnit(owner: string, option: string, value: unknown, hint = `${option} may be 0 but must stay below 1`): number {
  if (!isFiniteNumber(value) || value < 0 || value >= 1) {
    throw new ConfigError(`${owner}: ${option} must be a number in [0, 1), got ${show(value)}`, hint);
  }
  return value;
}

/** (0, 1): a probability whose log and the log of its complement are both finite. */
export function requireOpenUnit(owner: string, option: string, value: unknown, hint = `${option} must lie strictly between 0 and 1`): number {
  if (!isFiniteNumber(value) || value <= 0 || value >= 1) {
    throw new ConfigError(`${owner}: ${option} must be a number in (0, 1), got ${show(value)}`, hint);
  }
  return value;
}

/** One of a fixed set of names; the default hint lists them. */
export function requireChoice<T extends string>(
  owner: string,
  option: string,
  value: unknown,
  allowed: readonly T[],
  hint = `${option} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`,
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${owner}: unknown ${option} "${String(value)}"`, hint);
  }
  return value as T;
}

export function requireBoolean(owner: string, option: string, value: unknown, hint = `set ${option} to a boolean`): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(`${owner}: ${option} must be true or false, got ${show(value)}`, hint);
  return value;
}

/** A [low, high] pair of finite numbers with low < high. */
export function requireRange(
  owner: string,
  option: string,
  value: unknown,
  hint = 'pass two finite numbers, the lower first, e.g. [0, 1]',
): readonly [number, number] {
  const pair = Array.isArray(value) ? (value as unknown[]) : [];
  const [low, high] = pair;
  if (!Array.isArray(value) || pair.length !== 2 || !isFiniteNumber(low) || !isFiniteNumber(high) || !(low < high)) {
    throw new ConfigError(`${owner}: ${option} must be [low, high] with finite low < high, got ${show(value)}`, hint);
  }
  return [low, high];
}

/** A misspelt option would otherwise be silently ignored and its default used. */
export function rejectUnknownOptions(owner: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ConfigError(`${owner}: unknown option "${key}"`, known.length > 0 ? `known options: ${known.join(', ')}` : `${owner} takes no options`);
    }
  }
}
