import { describe, expect, it } from 'vitest';
import { ConfigError, MissingFeatureError, TeacherAccessError } from '@distillery/core';
import type { LossRequirements, LossSetup } from '@distillery/core';
import { checkLossRequirements } from '../src/index.js';

const setup: LossSetup = {
  numClasses: 10,
  datasetSize: 100,
  teacherAccess: 'white-box',
  studentFeatureShapes: { penultimate: [64] },
  teacherFeatureShapes: { penultimate: [128] },
  seed: 0,
};

const loss = (requires: LossRequirements) => ({ name: 'probe', requires });

describe('checkLossRequirements', () => {
  it('accepts a setup that provides everything', () => {
    const requires: LossRequirements = {
      teacher: 'white-box',
      studentFeatures: ['penultimate'],
      teacherFeatures: ['penultimate'],
      minClasses: 10,
      sampleIndices: true,
    };
    expect(() => checkLossRequirements(loss(requires), setup)).not.toThrow();
  });

  it('rejects a black-box teacher for a white-box loss, and only then', () => {
    const blackBox = { ...setup, teacherAccess: 'black-box' as const };
    expect(() => checkLossRequirements(loss({ teacher: 'white-box' }), blackBox)).toThrow(TeacherAccessError);
    expect(() => checkLossRequirements(loss({ teacher: 'any' }), blackBox)).not.toThrow();
    expect(() => checkLossRequirements(loss({ teacher: 'white-box' }), { ...setup, teacherAccess: 'white-box' })).not.toThrow();
  });

  it('names the missing student or teacher feature and the available ones', () => {
    expect(() => checkLossRequirements(loss({ teacher: 'white-box', studentFeatures: ['block3'] }), setup)).toThrow(MissingFeatureError);
    expect(() => checkLossRequirements(loss({ teacher: 'white-box', studentFeatures: ['block3'] }), setup)).toThrow(/"block3".*available: penultimate/);
    expect(() => checkLossRequirements(loss({ teacher: 'white-box', teacherFeatures: ['attn'] }), setup)).toThrow(/teacher.*"attn"/);
  });

  it('rejects fewer classes than minClasses with a ConfigError', () => {
    expect(() => checkLossRequirements(loss({ teacher: 'any', minClasses: 11 }), setup)).toThrow(ConfigError);
    expect(() => checkLossRequirements(loss({ teacher: 'any', minClasses: 10 }), setup)).not.toThrow();
  });

  it('rejects a zero dataset size for a loss keyed by sample index', () => {
    expect(() => checkLossRequirements(loss({ teacher: 'none', sampleIndices: true }), { ...setup, datasetSize: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => checkLossRequirements(loss({ teacher: 'none' }), { ...setup, datasetSize: 0 })).not.toThrow();
  });
});
