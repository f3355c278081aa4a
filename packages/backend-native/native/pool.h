#ifndef DISTILLERY_POOL_H
#define DISTILLERY_POOL_H

#include <node_api.h>

/* NHWC 2-D pooling with tfjs-backend-cpu's exact semantics (see pool.c). `params` is an Int32Array
 * laid out as dn_pool_params (src/pool-params.ts). */
napi_value dn_max_pool(napi_env env, napi_callback_info info);
napi_value dn_max_pool_grad(napi_env env, napi_callback_info info);
napi_value dn_avg_pool(napi_env env, napi_callback_info info);
napi_value dn_avg_pool_grad(napi_env env, napi_callback_info info);

#endif
