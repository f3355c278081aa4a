import { selectBackend } from '@distillery/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/registry.js';
import { validateSuite } from '../src/suites/load-suite.js';
import { SuiteValidationError, type SuiteIssue } from '../src/suites/suite-error.js';

const registry = createRegistry();

function textSuite(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny-text',
    description: 'text',
    dataset: { name: 'spam-assassin', task: 'three-way', maxLength: 16, vocabSize: 100 },
    models: {
      teacher: { type: 'transformer', width: 16, heads: 2, ffWidth: 16, layers: 2 },
      student: { type: 'transformer', width: 8, heads: 2, ffWidth: 8, layers: 1 },
      cnn: { type: 'textCnn', embeddingSize: 8, filters: 4 },
    },
    teachers: [{ id: 'teacher', model: 'teacher' }],
    methods: [
      { id: 'student alone', student: 'student' },
      { id: 'KD', student: 'student', losses: [{ name: 'kd' }] },
    ],
    seeds: [1],
    epochs: { teacher: 1, student: 1 },
    batchSize: 8,
    optimizer: { name: 'adam', learningRate: 0.001 },
    ...overrides,
  };
}

function issuesOf(raw: unknown): SuiteIssue[] {
  try {
    validateSuite(raw, registry, 'test.yaml');
  } catch (error) {
    if (error instanceof SuiteValidationError) return [...error.issues];
    throw error;
  }
  return [];
}

const methods = (...extra: object[]): object[] => [...(textSuite()['methods'] as object[]), ...extra];

describe('text suites: schema and validation-time misuse checks', () => {
  beforeAll(async () => {
    await selectBackend({ force: 'cpu' });
  });

  it('accepts a text suite and resolves text models, TinyBERT stages and the CNN student', () => {
    const suite = validateSuite(
      textSuite({
        methods: methods(
          { id: 'stage 1', student: 'student', losses: [{ name: 'tinybert-hidden' }, { name: 'tinybert-attention' }], alpha: 1 },
          { id: 'stage 2', student: 'student', initFrom: 'stage 1', losses: [{ name: 'tinybert-prediction' }], alpha: 1 },
          { id: 'CNN KD', student: 'cnn', losses: [{ name: 'kd' }], data: { labelsPerClass: 5, unlabelledTransfer: true }, alpha: 1 },
        ),
      }),
      registry,
      'ok.yaml',
    );
    expect(suite.rows.find((r) => r.id === 'stage 2')?.initFrom).toEqual({ group: '', id: 'stage 1' });
    expect(suite.rows.map((r) => r.role)).toEqual(['teacher', 'student-alone', 'distilled', 'distilled', 'distilled', 'distilled']);
  });

  it('rejects unknown dataset names, text model fields and missing sizes with zod paths', () => {
    expect(issuesOf(textSuite({ dataset: { name: 'spam-assassin', task: 'four-way', maxLength: 16, vocabSize: 100 } }))[0]?.path).toBe('dataset.task');
    const issues = issuesOf(textSuite({ models: { teacher: { type: 'transformer', width: 16, heads: 2, layers: 2, depth: 3 }, student: { type: 'textGru', embeddingSize: 4 } } }));
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['models.teacher.ffWidth', 'models.teacher', 'models.student.hiddenSize']));
  });

  it('a vocabulary that does not match the tokenizer, too few positions, heads that do not divide the width', () => {
    const issues = issuesOf(
      textSuite({
        models: {
          teacher: { type: 'transformer', width: 18, heads: 4, ffWidth: 16, layers: 2, vocabSize: 90 },
          student: { type: 'transformer', width: 8, heads: 2, ffWidth: 8, layers: 1, maxLength: 8 },
        },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'models.teacher.vocabSize', message: expect.stringContaining("does not match the suite's tokenizer (dataset.vocabSize = 100)") as string },
        { path: 'models.teacher.heads', message: 'heads = 4 does not divide width = 18: every head gets width / heads dimensions' },
        { path: 'models.student.maxLength', message: expect.stringContaining('8 positions but sequences are dataset.maxLength = 16') as string },
      ]),
    );
  });

  it('a TinyBERT layer map naming a layer the teacher lacks fails before training', () => {
    const issues = issuesOf(
      textSuite({ methods: methods({ id: 'stage 1', student: 'student', losses: [{ name: 'tinybert-hidden', options: { mapping: 'explicit', studentLayers: [1], teacherLayers: [5] } }], alpha: 1 }) }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('methods[2].losses[0]');
    expect(issues[0]?.message).toContain('hidden.5');
  });

  it('an LM loss given a classifier, and an LM model on a classification dataset, fail with the reason', () => {
    const lmLoss = issuesOf(textSuite({ methods: methods({ id: 'lm', student: 'student', losses: [{ name: 'lm-ce' }], alpha: 1 }) }));
    expect(lmLoss[0]?.path).toBe('methods[2].losses[0]');
    expect(lmLoss[0]?.message).toContain('tokenLogits');
    const lmModel = issuesOf(textSuite({ models: { teacher: { type: 'transformerLm', width: 16, heads: 2, ffWidth: 16, layers: 1 }, student: { type: 'transformer', width: 8, heads: 2, ffWidth: 8, layers: 1 } } }));
    expect(lmModel).toContainEqual({ path: 'models.teacher.type', message: 'a transformerLm predicts next tokens: use dataset spam-assassin-lm, or type transformer for classification' });
  });

  it('image models on text data, initFrom across architectures, and unlabelled transfer that would read labels', () => {
    const issues = issuesOf(
      textSuite({
        models: { ...(textSuite()['models'] as object), mlp: { type: 'mlp', hidden: [4] } },
        methods: methods(
          { id: 'cnn', student: 'cnn' },
          { id: 'from cnn', student: 'student', initFrom: 'cnn' },
          { id: 'transfer', student: 'student', losses: [{ name: 'kd' }], data: { labelsPerClass: 5, unlabelledTransfer: true }, alpha: 0.5 },
        ),
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'models.mlp.type', message: expect.stringContaining('reads images, but dataset spam-assassin is text') as string },
        { path: 'methods[3].initFrom', message: 'row "cnn" trains model "cnn", this row "student": initFrom loads weights into the same architecture' },
        { path: 'methods[4].alpha', message: expect.stringContaining('alpha: 1 (no label is read)') as string },
      ]),
    );
  });

  it('LM suites: lm-ce alone is the student alone, token-kd (forward) the vanilla KD row', () => {
    const suite = validateSuite(
      textSuite({
        dataset: { name: 'spam-assassin-lm', maxLength: 8, vocabSize: 100 },
        models: { teacher: { type: 'transformerLm', width: 16, heads: 2, ffWidth: 16, layers: 1 }, student: { type: 'transformerLm', width: 8, heads: 2, ffWidth: 8, layers: 1 } },
        teachers: [{ id: 'teacher', model: 'teacher', losses: [{ name: 'lm-ce' }] }],
        methods: [
          { id: 'alone', student: 'student', losses: [{ name: 'lm-ce' }], alpha: 1 },
          { id: 'reverse', student: 'student', losses: [{ name: 'token-kd', options: { direction: 'reverse' } }], alpha: 1 },
          { id: 'forward', student: 'student', losses: [{ name: 'lm-ce' }, { name: 'token-kd' }], alpha: 1 },
        ],
      }),
      registry,
      'lm.yaml',
    );
    expect(suite.rows.map((r) => `${r.id}:${r.role}`)).toEqual(['teacher:teacher', 'alone:student-alone', 'forward:distilled', 'reverse:distilled']);
    // the teacher trains on lm-ce over every position, at alpha 1 (no cross-entropy on the window's label)
    expect(suite.rows[0]?.method).toMatchObject({ scheme: 'offline', losses: [{ name: 'lm-ce' }], alpha: 1 });
  });

  it('LM suites refuse a teacher without lm-ce; teacher rows take label losses only', () => {
    const lm = (teacher: object): Record<string, unknown> =>
      textSuite({
        dataset: { name: 'spam-assassin-lm', maxLength: 8, vocabSize: 100 },
        models: { teacher: { type: 'transformerLm', width: 16, heads: 2, ffWidth: 16, layers: 1 }, student: { type: 'transformerLm', width: 8, heads: 2, ffWidth: 8, layers: 1 } },
        teachers: [{ id: 'teacher', model: 'teacher', ...teacher }],
        methods: [
          { id: 'alone', student: 'student', losses: [{ name: 'lm-ce' }], alpha: 1 },
          { id: 'forward', student: 'student', losses: [{ name: 'lm-ce' }, { name: 'token-kd' }], alpha: 1 },
        ],
      });
    expect(issuesOf(lm({}))).toContainEqual({
      path: 'teachers[0].losses',
      message: 'a language-model teacher must train on every position: set losses: [{ name: lm-ce }] (without it, it learns only the token after each window)',
    });
    expect(issuesOf(lm({ losses: [{ name: 'token-kd' }] }))).toContainEqual({
      path: 'teachers[0].losses[0].name',
      message: 'loss "token-kd" learns from a teacher, but a teacher row has none: give it label losses only (e.g. lm-ce), or make it a method row',
    });
    expect(issuesOf(lm({ losses: [{ name: 'lm-cee' }] }))).toContainEqual(expect.objectContaining({ path: 'teachers[0].losses[0].name', message: expect.stringContaining('no loss named "lm-cee"') as string }));
    expect(issuesOf(lm({ losses: [{ name: 'lm-ce' }] }))).toEqual([]);
    // classification suites keep the cross-entropy teacher (no method) unless a row says otherwise
    const plain = validateSuite(textSuite(), registry, 'text.yaml');
    expect(plain.rows[0]?.method).toBeUndefined();
  });
});
