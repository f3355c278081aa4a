import * as tf from '@tensorflow/tfjs';
import { ClassCountMismatchError, ConfigError, rejectUnknownOptions, requireBoolean, requireChoice, requirePositive } from '@distillery/core';
import type { KnowledgeLoss, LossDefinition, LossSetup, StepContext } from '@distillery/core';
import { setupShape } from '../feature/features.js';
import { KD_DIRECTIONS } from '../kd.js';
import type { KdDirection } from '../kd.js';
import { checkLossRequirements } from '../requirements.js';
import { gu2024 } from '../response/references.js';
import { maskedTokenMean, MASK, readMask, TOKEN_LOGITS } from './taps.js';
import { readTokenLogits } from './token-targets.js';

/** A type alias (not an interface) so it satisfies core's JSON-safe `HyperParameters`. */
export type TokenKdOptions = {
  readonly temperature: number;
  /** x T^2, the library's kd convention (gradient magnitudes independent of T) */
  readonly scaleByT2: boolean;
  /** 'forward' KL(p_T || p_S), word-level KD; 'reverse' KL(p_S || p_T), mode-seeking as in MiniLLM */
  readonly direction: KdDirection;
};

export const TOKEN_KD_DEFAULTS: TokenKdOptions = { temperature: 1, scaleByT2: true, direction: 'forward' };

export interface TokenKdLoss extends KnowledgeLoss {
  readonly options: TokenKdOptions;
  prepare(setup: LossSetup): void;
  compute(context: StepContext): { tokenKd: tf.Scalar };
}

/**
 * Token-level KD for causal language models: at every position, KL between the teacher's and the
 * student's next-token distributions (`tokenLogits` [B, L, V] softened by T), averaged over real
 * tokens (the `mask` feature), times T^2 by default - `kd` applied per token. 'reverse' is the
 * per-token reverse KL that MiniLLM (Gu et al. 2024) argues suits generative students; MiniLLM's
 * sequence-level policy-gradient optimisation is not part of this loss.
 */
export function tokenKdLoss(options: Partial<TokenKdOptions> = {}): TokenKdLoss {
  const name = 'token-kd';
  rejectUnknownOptions(name, options, Object.keys(TOKEN_KD_DEFAULTS));
  const merged = { ...TOKEN_KD_DEFAULTS, ...options };
  const resolved: TokenKdOptions = {
    temperature: requirePositive(name, 'temperature', merged.temperature, 'use a temperature > 0, 1 for language models'),
    scaleByT2: requireBoolean(name, 'scaleByT2', merged.scaleByT2),
    direction: requireChoice(name, 'direction', merged.direction, KD_DIRECTIONS),
  };
  const { temperature, direction } = resolved;
  const scale = resolved.scaleByT2 ? temperature * temperature : 1;

  const loss: TokenKdLoss = {
    name,
    options: resolved,
    requires: { teacher: 'white-box', studentFeatures: [TOKEN_LOGITS, MASK], teacherFeatures: [TOKEN_LOGITS] },
    prepare(setup) {
      checkLossRequirements(loss, setup);
      const s = setupShape(setup, 'student', TOKEN_LOGITS);
      const t = setupShape(setup, 'teacher', TOKEN_LOGITS);
      if (s.length !== 2 || t.length !== 2 || s[0] !== t[0]) {
        throw new ConfigError(`${name}: tokenLogits are [${s.join(', ')}] (student) and [${t.join(', ')}] (teacher) per sample, expected [length, vocabulary] of one length`, 'distil between language models reading the same windows');
      }
      if (s[1] !== t[1]) throw new ClassCountMismatchError(`${name}: teacher tokenLogits vocabulary`, s[1] as number, t[1] as number);
    },
    compute(context) {
      const zS = readTokenLogits(context, 'student', name);
      const zT = readTokenLogits(context, 'teacher', name);
      if (zS.shape.some((d, i) => d !== zT.shape[i])) {
        throw new ConfigError(`${name}: student tokenLogits [${zS.shape.join(', ')}] and teacher [${zT.shape.join(', ')}] differ`, 'run the teacher on the same batch with the same vocabulary');
      }
      const [batch, length] = zS.shape;
      const tokenKd = tf.tidy((): tf.Scalar => {
        const logS = tf.logSoftmax(tf.div(zS, temperature));
        const logT = tf.logSoftmax(tf.div(zT, temperature));
        const [logP, logQ] = direction === 'forward' ? [logT, logS] : [logS, logT];
        const perToken = tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), -1);
        const mean = maskedTokenMean(perToken, readMask(context, name, batch, length));
        return scale === 1 ? mean : tf.mul(mean, scale);
      });
      return { tokenKd };
    },
  };
  return loss;
}

export const tokenKdDefinition: LossDefinition<TokenKdOptions> = {
  kind: 'loss',
  name: 'token-kd',
  summary: "Token-level KD for language models: per-token KL (forward or reverse) between teacher and student next-token distributions",
  knowledge: 'response',
  reference: gu2024,
  defaults: TOKEN_KD_DEFAULTS,
  create: (options) => tokenKdLoss(options),
};
