import { plugin } from './plugin.js';

export { plugin };
export default plugin;
export { crossEntropy, crossEntropyDefinition, CROSS_ENTROPY_DEFAULTS } from './cross-entropy.js';
export type { CrossEntropyLoss, CrossEntropyOptions } from './cross-entropy.js';
export { kdLoss, kdDefinition, KD_DEFAULTS, KD_DIRECTIONS } from './kd.js';
export type { KdDirection, KdLoss, KdOptions } from './kd.js';
export { klDivergence, REDUCTIONS } from './divergence.js';
export type { Reduction } from './divergence.js';
export { checkLossRequirements } from './requirements.js';
export { stopGradient } from './stop-gradient.js';
export { studentLogits, teacherLogits } from './logits.js';
export { hinton2015, szegedy2016 } from './references.js';
