import { describe, expect, it } from 'vitest';
import { DistilleryError, TEACHER_ACCESS_HINT, TeacherAccessError } from '../src/errors.js';

describe('TeacherAccessError', () => {
  it('defaults to a loss\'s wording: logits and features needed, a response loss suggested', () => {
    const error = new TeacherAccessError('fitnets');
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.code).toBe('TEACHER_ACCESS');
    expect(error.hint).toBe(TEACHER_ACCESS_HINT);
    expect(error.message).toBe(`fitnets needs a white-box teacher (logits and features) but the teacher is black-box (${TEACHER_ACCESS_HINT})`);
  });

  it('takes the thrower\'s own need and hint (a scheme for which "kd" is no answer)', () => {
    const error = new TeacherAccessError('the "dafl" scheme', { needs: 'gradients through it', hint: 'use "few-shot-mixup"' });
    expect(error.code).toBe('TEACHER_ACCESS');
    expect(error.hint).toBe('use "few-shot-mixup"');
    expect(error.message).toBe('the "dafl" scheme needs a white-box teacher (gradients through it) but the teacher is black-box (use "few-shot-mixup")');
  });
});
