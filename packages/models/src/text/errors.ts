import { ConfigError, DistilleryError } from '@distillery/core';

/** A batch is longer than the model's position table (or its declared maxLength). */
export class SequenceTooLongError extends DistilleryError {
  readonly length: number;
  readonly maxLength: number;
  constructor(model: string, length: number, maxLength: number) {
    super(
      'INPUT_SHAPE_MISMATCH',
      `${model} got sequences of ${length} tokens but accepts at most maxLength = ${maxLength}`,
      `truncate to ${maxLength} tokens when encoding (the tokenizer's maxLength option), or rebuild the model with maxLength >= ${length}`,
    );
    this.length = length;
    this.maxLength = maxLength;
  }
}

/** A token id outside [0, vocabSize): the tokenizer and the model disagree on the vocabulary. */
export class TokenIdOutOfRangeError extends ConfigError {
  readonly tokenId: number;
  readonly vocabSize: number;
  constructor(model: string, tokenId: number, vocabSize: number) {
    super(
      `${model} got token id ${tokenId}, outside [0, ${vocabSize - 1}] (vocabSize = ${vocabSize})`,
      `build the model with the tokenizer's vocabulary size (vocabSize >= ${tokenId + 1}), or encode the data with this model's vocabulary`,
    );
    this.tokenId = tokenId;
    this.vocabSize = vocabSize;
  }
}
