import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  rejectUnknownOptions,
  requireBoolean,
  requireChoice,
  requireFraction,
  requireHalfOpenUnit,
  requireInRange,
  requireNonNegative,
  requireOpenUnit,
  requirePositive,
  requirePositiveInteger,
  requireRange,
} from '../src/index.js';

/** The ConfigError `fn` throws; fails the test when it throws nothing or something else. */
function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/** Asserts the exact message body and hint, and that the full message carries the hint in parentheses. */
function expectConfigError(fn: () => unknown, message: string, hint: string): void {
  const error = thrown(fn);
  expect(error.code).toBe('CONFIG_INVALID');
  expect(error.hint).toBe(hint);
  expect(error.message).toBe(`${message} (${hint})`);
}

// values every numeric check refuses whatever its domain
const NOT_FINITE: readonly [unknown, string][] = [
  [Number.NaN, 'NaN'],
  [Number.POSITIVE_INFINITY, 'Infinity'],
  [Number.NEGATIVE_INFINITY, '-Infinity'],
];
const NOT_NUMBERS: readonly [unknown, string][] = [
  ['4', '"4"'],
  [null, 'null'],
  [undefined, 'undefined'],
  [true, 'true'],
  [[1], '[1]'],
];
const NON_NUMERIC = [...NOT_FINITE, ...NOT_NUMBERS];

describe('requirePositive', () => {
  it('returns values > 0, down to the smallest double', () => {
    expect(requirePositive('kd', 'temperature', Number.MIN_VALUE)).toBe(Number.MIN_VALUE);
    expect(requirePositive('kd', 'temperature', 4)).toBe(4);
    expect(requirePositive('kd', 'temperature', Number.MAX_VALUE)).toBe(Number.MAX_VALUE);
  });

  it.each([[0, '0'], [-0, '0'], [-1, '-1'], ...NON_NUMERIC])('rejects %s, with the default hint', (value, shown) => {
    expectConfigError(() => requirePositive('kd', 'temperature', value), `kd: temperature must be a finite number > 0, got ${shown}`, 'pass a positive temperature');
  });

  it('takes the caller\'s hint', () => {
    expectConfigError(() => requirePositive('dafl', 'temperature', 0, 'DAFL distils at temperature 1'), 'dafl: temperature must be a finite number > 0, got 0', 'DAFL distils at temperature 1');
  });
});

describe('requireNonNegative', () => {
  it('returns values >= 0, 0 included', () => {
    expect(requireNonNegative('dml', 'mimicryWeight', 0)).toBe(0);
    expect(requireNonNegative('dml', 'mimicryWeight', 2.5)).toBe(2.5);
  });

  it.each([[-Number.MIN_VALUE, '-5e-324'], [-1, '-1'], ...NON_NUMERIC])('rejects %s, with the default (weight) hint', (value, shown) => {
    expectConfigError(
      () => requireNonNegative('dml', 'mimicryWeight', value),
      `dml: mimicryWeight must be a finite number >= 0, got ${shown}`,
      'mimicryWeight weights a term of the objective; 0 switches it off',
    );
  });

  it('takes the caller\'s hint', () => {
    expectConfigError(() => requireNonNegative('fsp', 'weight', -2, 'e.g. 1'), 'fsp: weight must be a finite number >= 0, got -2', 'e.g. 1');
  });
});

describe('requirePositiveInteger', () => {
  it('returns whole numbers >= 1', () => {
    expect(requirePositiveInteger('bss', 'boundarySamples', 1)).toBe(1);
    expect(requirePositiveInteger('bss', 'boundarySamples', 64)).toBe(64);
    expect(requirePositiveInteger('bss', 'boundarySamples', 2 ** 53 - 1)).toBe(2 ** 53 - 1);
  });

  it.each([[0, '0'], [-3, '-3'], [1.5, '1.5'], [0.999, '0.999'], ...NON_NUMERIC])('rejects %s, with the default hint', (value, shown) => {
    expectConfigError(
      () => requirePositiveInteger('bss', 'boundarySamples', value),
      `bss: boundarySamples must be an integer >= 1, got ${shown}`,
      'pass a whole number of boundarySamples',
    );
  });

  it('takes the caller\'s hint', () => {
    expectConfigError(() => requirePositiveInteger('perplexity', 'batchSize', 0, 'use e.g. 64'), 'perplexity: batchSize must be an integer >= 1, got 0', 'use e.g. 64');
  });
});

describe('requireInRange', () => {
  it('returns values in [low, high], both ends included', () => {
    expect(requireInRange('at', 'p', 1, 1, 4)).toBe(1);
    expect(requireInRange('at', 'p', 2.5, 1, 4)).toBe(2.5);
    expect(requireInRange('at', 'p', 4, 1, 4)).toBe(4);
  });

  it.each([[0.999, '0.999'], [4.001, '4.001'], ...NON_NUMERIC])('rejects %s, with the default hint', (value, shown) => {
    expectConfigError(() => requireInRange('at', 'p', value, 1, 4), `at: p must be a number in [1, 4], got ${shown}`, 'pick p between 1 and 4');
  });

  it('takes the caller\'s hint', () => {
    expectConfigError(() => requireInRange('crd', 'momentum', 1.5, 0, 1, 'e.g. 0.5'), 'crd: momentum must be a number in [0, 1], got 1.5', 'e.g. 0.5');
  });
});

describe('requireFraction', () => {
  it('returns values in [0, 1], both ends included', () => {
    expect(requireFraction('bss', 'boundaryDecayEnd', 0)).toBe(0);
    expect(requireFraction('bss', 'boundaryDecayEnd', 0.75)).toBe(0.75);
    expect(requireFraction('bss', 'boundaryDecayEnd', 1)).toBe(1);
  });

  it.each([[-Number.EPSILON, String(-Number.EPSILON)], [1 + Number.EPSILON, String(1 + Number.EPSILON)], [2, '2'], ...NON_NUMERIC])(
    'rejects %s, with the default hint',
    (value, shown) => {
      expectConfigError(
        () => requireFraction('bss', 'boundaryDecayEnd', value),
        `bss: boundaryDecayEnd must be a number in [0, 1], got ${shown}`,
        'boundaryDecayEnd is a fraction of training (or a share of the objective)',
      );
    },
  );

  it('takes the caller\'s hint', () => {
    expectConfigError(() => requireFraction('byot', 'alpha', 1.5, 'alpha mixes two targets or losses'), 'byot: alpha must be a number in [0, 1], got 1.5', 'alpha mixes two targets or losses');
  });
});

describe('requireHalfOpenUnit', () => {
  it('returns values in [0, 1): 0 included, just below 1 included', () => {
    expect(requireHalfOpenUnit('ce', 'labelSmoothing', 0)).toBe(0);
    expect(requireHalfOpenUnit('ce', 'labelSmoothing', 1 - Number.EPSILON)).toBe(1 - Number.EPSILON);
  });

  it.each([[1, '1'], [-0.1, '-0.1'], ...NON_NUMERIC])('rejects %s, with the default hint', (value, shown) => {
    expectConfigError(() => requireHalfOpenUnit('ce', 'labelSmoothing', value), `ce: labelSmoothing must be a number in [0, 1), got ${shown}`, 'labelSmoothing may be 0 but must stay below 1');
  });

  it('takes the caller\'s hint', () => {
    expectConfigError(() => requireHalfOpenUnit('mlp', 'dropout', 1, 'use e.g. 0.5'), 'mlp: dropout must be a number in [0, 1), got 1', 'use e.g. 0.5');
  });
});

describe('requireOpenUnit', () => {
  it('returns values strictly inside (0, 1)', () => {
    expect(requireOpenUnit('tf-kd-virtual', 'correctProbability', Number.MIN_VALUE)).toBe(Number.MIN_VALUE);
    expect(requireOpenUnit('tf-kd-virtual', 'correctProbability', 0.9)).toBe(0.9);
    expect(requireOpenUnit('tf-kd-virtual', 'correctProbability', 1 - Number.EPSILON)).toBe(1 - Number.EPSILON);
  });

  it.each([[0, '0'], [1, '1'], [-0.5, '-0.5'], ...NON_NUMERIC])('rejects %s, with the default hint', (value, shown) => {
    expectConfigError(
      () => requireOpenUnit('tf-kd-virtual', 'correctProbability', value),
      `tf-kd-virtual: correctProbability must be a number in (0, 1), got ${shown}`,
      'correctProbability must lie strictly between 0 and 1',
    );
  });

  it('takes the caller\'s hint', () => {
    expectConfigError(() => requireOpenUnit('x', 'p', 1, 'e.g. 0.9'), 'x: p must be a number in (0, 1), got 1', 'e.g. 0.9');
  });
});

describe('requireChoice', () => {
  const REDUCTIONS = ['batchmean', 'mean', 'sum'] as const;

  it('returns a listed name, typed as the union of the list', () => {
    const reduction: 'batchmean' | 'mean' | 'sum' = requireChoice('kd', 'reduction', 'sum', REDUCTIONS);
    expect(reduction).toBe('sum');
    expect(requireChoice('kd', 'reduction', 'batchmean', REDUCTIONS)).toBe('batchmean');
  });

  it.each([['none', 'none'], ['Sum', 'Sum'], ['', ''], [3, '3'], [undefined, 'undefined'], [null, 'null']])('rejects %s, listing the names in the hint', (value, shown) => {
    expectConfigError(() => requireChoice('kd', 'reduction', value, REDUCTIONS), `kd: unknown reduction "${shown}"`, 'reduction must be one of "batchmean", "mean", "sum"');
  });

  it('takes the caller\'s hint', () => {
    expectConfigError(() => requireChoice('dfad', 'discrepancy', 'l2', ['l1', 'kl'], 'DFAD uses l1'), 'dfad: unknown discrepancy "l2"', 'DFAD uses l1');
  });
});

describe('requireBoolean', () => {
  it('returns true and false', () => {
    expect(requireBoolean('kd', 'scaleByT2', true)).toBe(true);
    expect(requireBoolean('kd', 'scaleByT2', false)).toBe(false);
  });

  it.each([[1, '1'], [0, '0'], ['true', '"true"'], [null, 'null'], [undefined, 'undefined'], [Number.NaN, 'NaN']])('rejects %s, with the default hint', (value, shown) => {
    expectConfigError(() => requireBoolean('kd', 'scaleByT2', value), `kd: scaleByT2 must be true or false, got ${shown}`, 'set scaleByT2 to a boolean');
  });

  it('takes the caller\'s hint', () => {
    expectConfigError(() => requireBoolean('kd', 'scaleByT2', 'yes', 'Hinton et al. scale by T^2'), 'kd: scaleByT2 must be true or false, got "yes"', 'Hinton et al. scale by T^2');
  });
});

describe('requireRange', () => {
  it('returns a fresh [low, high] pair with low < high, however close', () => {
    const input = [0, 1];
    const range = requireRange('bss', 'inputRange', input);
    expect(range).toEqual([0, 1]);
    expect(range).not.toBe(input);
    expect(requireRange('bss', 'inputRange', [-1e-9, 1e-9])).toEqual([-1e-9, 1e-9]);
    expect(requireRange('bss', 'inputRange', [1, 1 + Number.EPSILON])).toEqual([1, 1 + Number.EPSILON]);
  });

  it.each([
    [[1, 0], '[1, 0]'],
    [[0.5, 0.5], '[0.5, 0.5]'],
    [[0], '[0]'],
    [[0, 1, 2], '[0, 1, 2]'],
    [[], '[]'],
    [[0, Number.NaN], '[0, NaN]'],
    [[Number.NEGATIVE_INFINITY, 1], '[-Infinity, 1]'],
    [[0, Number.POSITIVE_INFINITY], '[0, Infinity]'],
    [['0', '1'], '["0", "1"]'],
    [{ low: 0, high: 1 }, '{"low":0,"high":1}'],
    [undefined, 'undefined'],
    [Number.NaN, 'NaN'],
  ])('rejects %j, with the default hint', (value, shown) => {
    expectConfigError(
      () => requireRange('bss', 'inputRange', value),
      `bss: inputRange must be [low, high] with finite low < high, got ${shown}`,
      'pass two finite numbers, the lower first, e.g. [0, 1]',
    );
  });

  it('takes the caller\'s hint', () => {
    expectConfigError(
      () => requireRange('bss', 'inputRange', [1, 0], 'e.g. [0, 1] for images scaled to unit range'),
      'bss: inputRange must be [low, high] with finite low < high, got [1, 0]',
      'e.g. [0, 1] for images scaled to unit range',
    );
  });
});

describe('rejectUnknownOptions', () => {
  const KNOWN = ['temperature', 'reduction'];

  it('accepts known keys, a subset of them and no keys at all', () => {
    expect(() => rejectUnknownOptions('kd', { temperature: 4, reduction: 'sum' }, KNOWN)).not.toThrow();
    expect(() => rejectUnknownOptions('kd', { reduction: 'sum' }, KNOWN)).not.toThrow();
    expect(() => rejectUnknownOptions('kd', {}, KNOWN)).not.toThrow();
  });

  it('names the first unknown key and lists the known ones', () => {
    expectConfigError(() => rejectUnknownOptions('kd', { temperature: 4, temprature: 2, other: 1 }, KNOWN), 'kd: unknown option "temprature"', 'known options: temperature, reduction');
  });

  it('refuses every key when the owner takes no options', () => {
    expectConfigError(() => rejectUnknownOptions('lm-ce', { smoothing: 0.1 }, []), 'lm-ce: unknown option "smoothing"', 'lm-ce takes no options');
  });
});
