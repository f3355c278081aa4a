#include "gemm.h"

#include <cblas.h>
#include <string.h>

#include "epilogue.h"
#include "napi_util.h"

/* Multiply-adds below which a matmul runs single-threaded (e.g. LeNet's dense layers at batch 128). */
#define DN_GEMM_SINGLE_THREAD_MACS ((double)(1 << 21))

napi_value dn_matmul(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 14) {
    napi_throw_type_error(env, NULL, "matmul expects 14 arguments");
    return NULL;
  }
  dn_f32 a, b, out, bias;
  int64_t batch, m, n, k, stride_a, stride_b, activation;
  int trans_a, trans_b;
  double alpha;
  if (dn_get_f32(env, argv[0], "a", &a) || dn_get_f32(env, argv[1], "b", &b) ||
      dn_get_f32(env, argv[2], "out", &out) || dn_get_i64(env, argv[3], "batch", &batch) ||
      dn_get_i64(env, argv[4], "m", &m) || dn_get_i64(env, argv[5], "n", &n) || dn_get_i64(env, argv[6], "k", &k) ||
      dn_get_bool(env, argv[7], "transposeA", &trans_a) || dn_get_bool(env, argv[8], "transposeB", &trans_b) ||
      dn_get_i64(env, argv[9], "strideA", &stride_a) || dn_get_i64(env, argv[10], "strideB", &stride_b) ||
      dn_get_optional_f32(env, argv[11], "bias", &bias) || dn_get_i64(env, argv[12], "activation", &activation) ||
      dn_get_double(env, argv[13], "alpha", &alpha)) {
    return NULL;
  }
  if (activation >= DN_ACT_COUNT) {
    napi_throw_range_error(env, NULL, "unknown activation code");
    return NULL;
  }
  if (bias.data != NULL && bias.length != 1 && bias.length != (size_t)n) {
    napi_throw_range_error(env, NULL, "bias must hold 1 or n floats");
    return NULL;
  }
  if (m > 0x7fffffff || n > 0x7fffffff || k > 0x7fffffff) {
    napi_throw_range_error(env, NULL, "matrix dimensions must fit in 32 bits");
    return NULL;
  }
  const size_t mk = (size_t)m * (size_t)k, kn = (size_t)k * (size_t)n, mn = (size_t)m * (size_t)n;
  if (batch == 0 || mn == 0) return dn_undefined(env);
  if ((stride_a != 0 && (size_t)stride_a < mk) || (stride_b != 0 && (size_t)stride_b < kn)) {
    napi_throw_range_error(env, NULL, "a batch stride is smaller than one matrix");
    return NULL;
  }
  if (dn_require_length(env, &a, (size_t)(batch - 1) * (size_t)stride_a + mk, "a") ||
      dn_require_length(env, &b, (size_t)(batch - 1) * (size_t)stride_b + kn, "b") ||
      dn_require_length(env, &out, (size_t)batch * mn, "out")) {
    return NULL;
  }
  if (k == 0) {
    /* An empty inner dimension is a zero product; OpenBLAS would leave the output untouched. */
    memset(out.data, 0, (size_t)batch * mn * sizeof(float));
  } else {
    /* Small products run on one OpenBLAS thread: waking the pool costs more than it saves there, and
     * on a busy machine the second thread's scheduling delay can stall the call for milliseconds. */
    const int threads = openblas_get_num_threads();
    const int single = threads > 1 && (double)batch * (double)m * (double)n * (double)k < DN_GEMM_SINGLE_THREAD_MACS;
    if (single) openblas_set_num_threads(1);
    const int lda = trans_a ? (int)m : (int)k;
    const int ldb = trans_b ? (int)k : (int)n;
    for (int64_t i = 0; i < batch; i++) {
      cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m,
                  (int)n, (int)k, 1.0f, a.data + (size_t)i * (size_t)stride_a, lda,
                  b.data + (size_t)i * (size_t)stride_b, ldb, 0.0f, out.data + (size_t)i * mn, (int)n);
    }
    if (single) openblas_set_num_threads(threads);
  }
  dn_bias_activation(out.data, (size_t)batch * (size_t)m, (size_t)n, bias.data, bias.length, (int)activation,
                     (float)alpha);
  return dn_undefined(env);
}
