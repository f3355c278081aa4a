#ifndef DISTILLERY_ELEMENTWISE_H
#define DISTILLERY_ELEMENTWISE_H

#include <node_api.h>

/* Elementwise kernels for the ops an optimiser step is made of (Adam alone runs ~14 of them per
 * weight tensor per step). tfjs's cpu backend runs them as generic JS closures with a modulo per
 * element; these are plain vectorisable loops. */

/* binary(op, a, b, out): out = a (op) b where a and b each hold out.length elements or repeat
 * (a scalar, or a block that tiles the output, such as a bias row). */
napi_value dn_binary(napi_env env, napi_callback_info info);
/* binaryBroadcast(op, a, b, out, geometry): any broadcast, geometry = Int32Array [rank, dims..., aStrides...,
 * bStrides...] after collapsing dimensions (innermost strides 0 or 1). */
napi_value dn_binary_broadcast(napi_env env, napi_callback_info info);
/* unary(op, x, out, alpha) */
napi_value dn_unary(napi_env env, napi_callback_info info);
/* softmaxRows(x, out, width): softmax of each run of `width` floats (max, expf, sum in double, divide). */
napi_value dn_softmax_rows(napi_env env, napi_callback_info info);
/* reduceSum(x, out, outer, reduce, inner): out[o, i] = sum_r x[o, r, i], accumulated in double. */
napi_value dn_reduce_sum(napi_env env, napi_callback_info info);

#endif
