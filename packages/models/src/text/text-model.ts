import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@distillery/core';
import type { ForwardOptions, ModelOutputs } from '@distillery/core';
import { deriveSeed } from '../seeds.js';
import { DropoutSchedule, type Dropout } from './dropout.js';
import { assertTokenShape, readTokens, validateTokenIds, type Tokens } from './inputs.js';
import { ParameterStore } from './parameters.js';
import type { TextModel, TextModelSpec } from './types.js';

export interface TextModelParts {
  readonly featureNames: readonly string[];
  /** the forward pass proper: logits and every tap except `mask` (added here) */
  readonly run: (tokens: Tokens, dropout: Dropout) => { logits: tf.Tensor2D; features: Record<string, tf.Tensor> };
}

/**
 * The plumbing every text model shares: variables, seeded dropout, input checks and tidying. `build`
 * creates the weights on the store and returns the forward pass; the store then holds every variable.
 */
export function createTextModel(spec: TextModelSpec, build: (parameters: ParameterStore) => TextModelParts): TextModel {
  const { config } = spec;
  const parameters = new ParameterStore(config.name, config.seed);
  const parts = build(parameters);
  const schedule = new DropoutSchedule(parameters, config.dropout, deriveSeed(config.seed, 'dropout'));
  const featureNames = parts.featureNames.includes('mask') ? [...parts.featureNames] : ['mask', ...parts.featureNames];
  let disposed = false;
  let idsChecked = false;

  const check = (x: tf.Tensor): void => {
    if (disposed) throw new ConfigError(`${config.name} was disposed`, 'build a new model; a disposed model has no weights');
    assertTokenShape(config.name, x, config.maxLength);
  };
  const checkOnce = (x: tf.Tensor): void => {
    check(x);
    if (idsChecked) return;
    // once per model: the id check downloads two numbers, too costly for every step
    validateTokenIds(config.name, x, config.vocabSize);
    idsChecked = true;
  };

  const model: TextModel = {
    name: config.name,
    numClasses: config.numClasses,
    inputShape: [config.maxLength],
    featureNames,
    spec,
    vocabSize: config.vocabSize,
    maxLength: config.maxLength,

    validateInputs(x: tf.Tensor): void {
      check(x);
      validateTokenIds(config.name, x, config.vocabSize);
    },

    forward(x: tf.Tensor, options: ForwardOptions): ModelOutputs {
      checkOnce(x);
      const dropout = schedule.begin(options.training);
      return tf.tidy(() => {
        const tokens = readTokens(x);
        const { logits, features } = parts.run(tokens, dropout);
        return { logits, features: { mask: tokens.mask, ...features } };
      });
    },

    predictLogits(x: tf.Tensor): tf.Tensor2D {
      checkOnce(x);
      return tf.tidy(() => parts.run(readTokens(x), schedule.begin(false)).logits);
    },

    trainableVariables: () => parameters.trainableVariables(),
    stateVariables: () => parameters.stateVariables(),
    countParams: () => parameters.countParams(),

    dispose(): void {
      if (disposed) return;
      disposed = true;
      parameters.dispose();
    },
  };
  return model;
}
