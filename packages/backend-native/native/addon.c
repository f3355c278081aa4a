/* Entry point of the distillery_native addon: OpenBLAS-backed kernels for tfjs's cpu backend, which
 * passes the Float32Arrays that hold tensor data straight in (no copies). */
#include <cblas.h>
#include <node_api.h>

#include "conv.h"
#include "elementwise.h"
#include "gemm.h"
#include "napi_util.h"
#include "optimizer.h"
#include "parallel.h"
#include "pool.h"

static napi_value set_num_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t threads = 0;
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || dn_get_i64(env, argv[0], "threads", &threads)) return NULL;
  if (threads < 1 || threads > 1024) {
    napi_throw_range_error(env, NULL, "threads must be between 1 and 1024");
    return NULL;
  }
  openblas_set_num_threads((int)threads);
  /* The addon's own loops (direct convolutions, pooling, optimiser updates) follow the same count. */
  dn_set_workers((int)threads);
  return dn_undefined(env);
}

static napi_value get_num_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result = NULL;
  DN_CALL(env, napi_create_int32(env, openblas_get_num_threads(), &result));
  return result;
}

static napi_value get_config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result = NULL;
  DN_CALL(env, napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  /* One thread count for both: OpenBLAS starts from OPENBLAS_NUM_THREADS (or one per core). */
  dn_set_workers(openblas_get_num_threads());
  const napi_property_descriptor properties[] = {
      {"matmul", NULL, dn_matmul, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2d", NULL, dn_conv2d, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2dBackpropInput", NULL, dn_conv2d_backprop_input, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2dBackpropFilter", NULL, dn_conv2d_backprop_filter, NULL, NULL, NULL, napi_enumerable, NULL},
      {"binary", NULL, dn_binary, NULL, NULL, NULL, napi_enumerable, NULL},
      {"binaryBroadcast", NULL, dn_binary_broadcast, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unary", NULL, dn_unary, NULL, NULL, NULL, napi_enumerable, NULL},
      {"softmaxRows", NULL, dn_softmax_rows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"reduceSum", NULL, dn_reduce_sum, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maxPool", NULL, dn_max_pool, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maxPoolGrad", NULL, dn_max_pool_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"avgPool", NULL, dn_avg_pool, NULL, NULL, NULL, napi_enumerable, NULL},
      {"avgPoolGrad", NULL, dn_avg_pool_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adamUpdate", NULL, dn_adam_update, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sgdUpdate", NULL, dn_sgd_update, NULL, NULL, NULL, napi_enumerable, NULL},
      {"momentumUpdate", NULL, dn_momentum_update, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setNumThreads", NULL, set_num_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getNumThreads", NULL, get_num_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getConfig", NULL, get_config, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  DN_CALL(env, napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
