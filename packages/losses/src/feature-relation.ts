import type { LossDefinition } from '@distillery/core';
import { attentionDefinition } from './feature/attention.js';
import { fitNetsDefinition } from './feature/fitnets.js';
import { fspDefinition } from './feature/fsp.js';
import { overhaulDefinition } from './feature/overhaul.js';
import { crdDefinition } from './relation/crd.js';
import { pktDefinition } from './relation/pkt.js';
import { rkdDefinition } from './relation/rkd.js';
import { spDefinition } from './relation/sp.js';

/** The feature- and relation-based losses, for the package plugin: `losses: [...response, ...featureRelationDefinitions]`. */
export const featureRelationDefinitions: readonly LossDefinition[] = [
  fitNetsDefinition,
  attentionDefinition,
  fspDefinition,
  overhaulDefinition,
  rkdDefinition,
  pktDefinition,
  spDefinition,
  crdDefinition,
];

export { fitNetsLoss, fitNetsDefinition, FITNETS_DEFAULTS, FITNETS_REGRESSORS } from './feature/fitnets.js';
export type { FitNetsLoss, FitNetsOptions, FitNetsRegressor } from './feature/fitnets.js';
export { attentionLoss, attentionDefinition, attentionMap, ATTENTION_DEFAULTS } from './feature/attention.js';
export type { AttentionLoss, AttentionOptions } from './feature/attention.js';
export { fspLoss, fspDefinition, fspMatrix, FSP_DEFAULTS } from './feature/fsp.js';
export type { FspLoss, FspOptions } from './feature/fsp.js';
export { overhaulLoss, overhaulDefinition, partialL2, OVERHAUL_DEFAULTS } from './feature/overhaul.js';
export type { OverhaulLoss, OverhaulOptions } from './feature/overhaul.js';
export { marginFromMoments, erfc } from './feature/overhaul-margin.js';
export { Projection } from './feature/projection.js';
export type { ProjectionInit } from './feature/projection.js';
export { romero2015, zagoruyko2017, yim2017, heo2019 } from './feature/references.js';

export { rkdLoss, rkdDefinition, rkdDistance, rkdAngle, RKD_DEFAULTS } from './relation/rkd.js';
export type { RkdLoss, RkdOptions } from './relation/rkd.js';
export { pktLoss, pktDefinition, cosineConditionals, PKT_DEFAULTS } from './relation/pkt.js';
export type { PktLoss, PktOptions } from './relation/pkt.js';
export { spLoss, spDefinition, similarityMatrix, SP_DEFAULTS } from './relation/sp.js';
export type { SpLoss, SpOptions } from './relation/sp.js';
export { crdLoss, crdDefinition, CRD_DEFAULTS } from './relation/crd.js';
export type { CrdLoss, CrdOptions } from './relation/crd.js';
export { ContrastMemory } from './relation/crd-memory.js';
export { contrastNceLoss } from './relation/crd-nce.js';
export { sampleContrastIndices } from './relation/crd-sampling.js';
export { park2019, passalis2018, tung2019, tian2020 } from './relation/references.js';

export { selectHintLayers } from './hints/select.js';
export type { HintSelection, HintSelectionOptions } from './hints/select.js';
export { linearCka, ckaMatrix } from './hints/cka.js';
export { agglomerativeClusters, LINKAGES } from './hints/agglomerative.js';
export type { Linkage } from './hints/agglomerative.js';
export { kornblith2019, keser2023 } from './hints/references.js';
