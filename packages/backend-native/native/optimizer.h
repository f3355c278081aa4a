/* Fused optimiser updates: one pass over a variable, its gradient and its slots instead of tfjs's
 * chain of ~14 elementwise kernels (each allocating a fresh array). Every step is done in float32 in
 * the same order as tfjs's AdamOptimizer / SGDOptimizer / MomentumOptimizer, so results are bitwise
 * equal to theirs on the cpu backend. */
#ifndef DISTILLERY_OPTIMIZER_H
#define DISTILLERY_OPTIMIZER_H

#include <node_api.h>

/* adamUpdate(w, g, m, v, outW, outM, outV, learningRate, beta1, beta2, epsilon, oneMinusBeta1,
 *            oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2) */
napi_value dn_adam_update(napi_env env, napi_callback_info info);
/* sgdUpdate(w, g, outW, negativeLearningRate) */
napi_value dn_sgd_update(napi_env env, napi_callback_info info);
/* momentumUpdate(w, g, acc, outW, outAcc, negativeLearningRate, momentum, nesterov) */
napi_value dn_momentum_update(napi_env env, napi_callback_info info);

#endif
