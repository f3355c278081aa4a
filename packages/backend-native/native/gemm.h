#ifndef DISTILLERY_GEMM_H
#define DISTILLERY_GEMM_H

#include <node_api.h>

/* matmul(a, b, out, batch, m, n, k, transposeA, transposeB, strideA, strideB, bias?, activation, alpha)
 * out[i] = act(op(a[i]) . op(b[i]) + bias) for i < batch, row-major; a stride of 0 broadcasts. */
napi_value dn_matmul(napi_env env, napi_callback_info info);

#endif
