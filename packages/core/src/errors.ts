/**
 * Every error Distillery raises on purpose is a DistilleryError with a stable `code` and a `hint`
 * that tells the user how to fix it. Callers branch on `code` (or `instanceof`), never on message text.
 */
export type DistilleryErrorCode =
  | 'CONFIG_INVALID'
  | 'CLASS_COUNT_MISMATCH'
  | 'FEATURE_MISSING'
  | 'TEACHER_ACCESS'
  | 'DATASET_EMPTY'
  | 'LABEL_OUT_OF_RANGE'
  | 'INPUT_NOT_FINITE'
  | 'INPUT_SHAPE_MISMATCH'
  | 'LOSS_NOT_FINITE'
  | 'CHECKPOINT_CORRUPT'
  | 'CHECKPOINT_MISMATCH'
  | 'BACKEND_UNAVAILABLE'
  | 'REGISTRY_UNKNOWN'
  | 'REGISTRY_DUPLICATE';

export class DistilleryError extends Error {
  readonly code: DistilleryErrorCode;
  readonly hint: string;
  constructor(code: DistilleryErrorCode, message: string, hint: string) {
    super(`${message} (${hint})`);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
  }
}

/** A hyper-parameter or option is out of its domain (temperature <= 0, a weight outside [0, 1], ...). */
export class ConfigError extends DistilleryError {
  constructor(message: string, hint: string) {
    super('CONFIG_INVALID', message, hint);
  }
}

export class ClassCountMismatchError extends DistilleryError {
  constructor(what: string, expected: number, actual: number) {
    super(
      'CLASS_COUNT_MISMATCH',
      `${what}: expected ${expected} classes but got ${actual}`,
      'teacher, student and dataset must agree on the number of classes; rebuild the model with the dataset\'s numClasses',
    );
  }
}

export class MissingFeatureError extends DistilleryError {
  constructor(owner: string, feature: string, available: readonly string[]) {
    super(
      'FEATURE_MISSING',
      `${owner} has no feature tap named "${feature}" (available: ${available.length ? available.join(', ') : 'none'})`,
      'add the tap when building the model (e.g. fromLayersModel(model, { taps: { name: layerName } })) or pick an existing one',
    );
  }
}

export interface TeacherAccessDetails {
  /** what the thrower reads inside the teacher (default: its logits and features) */
  readonly needs?: string;
  /** how to fix it; the default suggests a response loss, which fits a loss or a feature term but not a scheme */
  readonly hint?: string;
}

/** The default hint: the usual thrower is a loss, and "kd" is the loss that works with a black-box teacher. */
export const TEACHER_ACCESS_HINT = 'use a response-based loss such as "kd" with a black-box teacher, or wrap a model you can run';

export class TeacherAccessError extends DistilleryError {
  constructor(lossName: string, details: TeacherAccessDetails = {}) {
    super(
      'TEACHER_ACCESS',
      `${lossName} needs a white-box teacher (${details.needs ?? 'logits and features'}) but the teacher is black-box`,
      details.hint ?? TEACHER_ACCESS_HINT,
    );
  }
}

export class EmptyDatasetError extends DistilleryError {
  constructor(what: string) {
    super('DATASET_EMPTY', `${what} has no samples`, 'check the subset options (classes, labels per class) and the data path');
  }
}

export class LabelOutOfRangeError extends DistilleryError {
  constructor(label: number, numClasses: number, position: number) {
    super(
      'LABEL_OUT_OF_RANGE',
      `label ${label} at sample ${position} is outside [0, ${numClasses - 1}]`,
      'labels must be integer class ids below numClasses; remap them or raise numClasses',
    );
  }
}

export class NonFiniteInputError extends DistilleryError {
  constructor(position: number) {
    super('INPUT_NOT_FINITE', `input sample ${position} contains NaN or Infinity`, 'clean or impute the data before training');
  }
}

export class InputShapeError extends DistilleryError {
  constructor(what: string, expected: readonly number[], actual: readonly number[]) {
    super(
      'INPUT_SHAPE_MISMATCH',
      `${what}: expected input shape [${expected.join(', ')}] but got [${actual.join(', ')}]`,
      'reshape the data (e.g. flatten images for an MLP) or build the model for this input shape',
    );
  }
}

export class NonFiniteLossError extends DistilleryError {
  readonly epoch: number;
  readonly step: number;
  constructor(term: string, epoch: number, step: number) {
    super(
      'LOSS_NOT_FINITE',
      `loss term "${term}" became NaN or Infinity at epoch ${epoch}, step ${step}; training stopped`,
      'lower the learning rate or the temperature; the last good checkpoint was kept',
    );
    this.epoch = epoch;
    this.step = step;
  }
}

export class CheckpointCorruptError extends DistilleryError {
  constructor(path: string, reason: string) {
    super('CHECKPOINT_CORRUPT', `checkpoint at ${path} is unreadable: ${reason}`, 'delete it to start afresh, or restore it from a copy');
  }
}

export class CheckpointMismatchError extends DistilleryError {
  constructor(path: string, reason: string) {
    super(
      'CHECKPOINT_MISMATCH',
      `checkpoint at ${path} does not fit this run: ${reason}`,
      'resume with the same scheme and models that wrote it, or use a fresh checkpoint folder',
    );
  }
}

export class BackendUnavailableError extends DistilleryError {
  constructor(backend: string, reason: string) {
    super(
      'BACKEND_UNAVAILABLE',
      `backend "${backend}" cannot be used: ${reason}`,
      'install its package (e.g. npm i @tensorflow/tfjs-node) or choose another with --backend / selectBackend({ force })',
    );
  }
}

export class RegistryError extends DistilleryError {
  constructor(code: 'REGISTRY_UNKNOWN' | 'REGISTRY_DUPLICATE', message: string, hint: string) {
    super(code, message, hint);
  }
}
