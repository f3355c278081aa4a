#include "elementwise.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "napi_util.h"

/* Must match BINARY_OPS / UNARY_OPS in src/kernels/elementwise-codes.ts. */
enum { DN_ADD = 0, DN_SUB = 1, DN_MUL = 2, DN_DIV = 3, DN_BINARY_COUNT = 4 };
enum { DN_SQRT = 0, DN_SQUARE = 1, DN_RELU = 2, DN_STEP = 3, DN_UNARY_COUNT = 4 };

/* One loop per (op, layout) keeps every inner loop free of branches so the compiler vectorises it. */
#define DN_BINARY_LOOPS(NAME, EXPR)                                                                  \
  static void NAME##_full(const float *a, const float *b, float *out, size_t n) {                    \
    for (size_t i = 0; i < n; i++) {                                                                 \
      const float x = a[i], y = b[i];                                                                \
      out[i] = (EXPR);                                                                               \
    }                                                                                                \
  }                                                                                                  \
  static void NAME##_tile_b(const float *a, const float *b, float *out, size_t n, size_t period) {   \
    for (size_t start = 0; start < n; start += period) {                                             \
      const float *pa = a + start;                                                                   \
      float *po = out + start;                                                                       \
      for (size_t i = 0; i < period; i++) {                                                          \
        const float x = pa[i], y = b[i];                                                             \
        po[i] = (EXPR);                                                                              \
      }                                                                                              \
    }                                                                                                \
  }                                                                                                  \
  static void NAME##_tile_a(const float *a, const float *b, float *out, size_t n, size_t period) {   \
    for (size_t start = 0; start < n; start += period) {                                             \
      const float *pb = b + start;                                                                   \
      float *po = out + start;                                                                       \
      for (size_t i = 0; i < period; i++) {                                                          \
        const float x = a[i], y = pb[i];                                                             \
        po[i] = (EXPR);                                                                              \
      }                                                                                              \
    }                                                                                                \
  }

DN_BINARY_LOOPS(add, x + y)
DN_BINARY_LOOPS(sub, x - y)
DN_BINARY_LOOPS(mul, x * y)
DN_BINARY_LOOPS(div, x / y)

typedef void (*full_fn)(const float *, const float *, float *, size_t);
typedef void (*tile_fn)(const float *, const float *, float *, size_t, size_t);

static const full_fn FULL[DN_BINARY_COUNT] = {add_full, sub_full, mul_full, div_full};
static const tile_fn TILE_A[DN_BINARY_COUNT] = {add_tile_a, sub_tile_a, mul_tile_a, div_tile_a};
static const tile_fn TILE_B[DN_BINARY_COUNT] = {add_tile_b, sub_tile_b, mul_tile_b, div_tile_b};

static void binary_scalar_b(int op, const float *a, float y, float *out, size_t n) {
  switch (op) {
    case DN_ADD: for (size_t i = 0; i < n; i++) out[i] = a[i] + y; break;
    case DN_SUB: for (size_t i = 0; i < n; i++) out[i] = a[i] - y; break;
    case DN_MUL: for (size_t i = 0; i < n; i++) out[i] = a[i] * y; break;
    default: for (size_t i = 0; i < n; i++) out[i] = a[i] / y; break;
  }
}

static void binary_scalar_a(int op, float x, const float *b, float *out, size_t n) {
  switch (op) {
    case DN_ADD: for (size_t i = 0; i < n; i++) out[i] = x + b[i]; break;
    case DN_SUB: for (size_t i = 0; i < n; i++) out[i] = x - b[i]; break;
    case DN_MUL: for (size_t i = 0; i < n; i++) out[i] = x * b[i]; break;
    default: for (size_t i = 0; i < n; i++) out[i] = x / b[i]; break;
  }
}

napi_value dn_binary(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t op;
  dn_f32 a, b, out;
  if (dn_get_i64(env, argv[0], "op", &op) || dn_get_f32(env, argv[1], "a", &a) || dn_get_f32(env, argv[2], "b", &b) ||
      dn_get_f32(env, argv[3], "out", &out)) {
    return NULL;
  }
  const size_t n = out.length;
  if (op >= DN_BINARY_COUNT) {
    napi_throw_range_error(env, NULL, "unknown binary op");
    return NULL;
  }
  /* Each operand either spans the output or is a block repeated to fill it. */
  if (n == 0) return dn_undefined(env);
  if (a.length == 0 || b.length == 0 || n % a.length != 0 || n % b.length != 0 || (a.length != n && b.length != n)) {
    napi_throw_range_error(env, NULL, "binary operands must span the output or tile it");
    return NULL;
  }
  if (a.length == n && b.length == n) {
    FULL[op](a.data, b.data, out.data, n);
  } else if (b.length == 1) {
    binary_scalar_b((int)op, a.data, b.data[0], out.data, n);
  } else if (a.length == 1) {
    binary_scalar_a((int)op, a.data[0], b.data, out.data, n);
  } else if (b.length < n) {
    TILE_B[op](a.data, b.data, out.data, n, b.length);
  } else {
    TILE_A[op](a.data, b.data, out.data, n, a.length);
  }
  return dn_undefined(env);
}

napi_value dn_unary(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t op;
  dn_f32 x, out;
  double alpha_d;
  if (dn_get_i64(env, argv[0], "op", &op) || dn_get_f32(env, argv[1], "x", &x) ||
      dn_get_f32(env, argv[2], "out", &out) || dn_get_double(env, argv[3], "alpha", &alpha_d)) {
    return NULL;
  }
  if (op >= DN_UNARY_COUNT || out.length != x.length) {
    napi_throw_range_error(env, NULL, "unknown unary op or output length differs from input");
    return NULL;
  }
  const size_t n = x.length;
  const float *in = x.data;
  float *o = out.data;
  const float alpha = (float)alpha_d;
  switch (op) {
    case DN_SQRT: for (size_t i = 0; i < n; i++) o[i] = sqrtf(in[i]); break;
    case DN_SQUARE: for (size_t i = 0; i < n; i++) o[i] = in[i] * in[i]; break;
    /* Written so NaN passes through, as in tfjs's cpu kernels. */
    case DN_RELU: for (size_t i = 0; i < n; i++) o[i] = in[i] < 0.0f ? 0.0f : in[i]; break;
    default:
      for (size_t i = 0; i < n; i++) o[i] = isnan(in[i]) ? in[i] : (in[i] > 0.0f ? 1.0f : alpha);
      break;
  }
  return dn_undefined(env);
}

napi_value dn_reduce_sum(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  dn_f32 x, out;
  int64_t outer, reduce, inner;
  if (dn_get_f32(env, argv[0], "x", &x) || dn_get_f32(env, argv[1], "out", &out) ||
      dn_get_i64(env, argv[2], "outer", &outer) || dn_get_i64(env, argv[3], "reduce", &reduce) ||
      dn_get_i64(env, argv[4], "inner", &inner)) {
    return NULL;
  }
  const size_t o_n = (size_t)outer, r_n = (size_t)reduce, i_n = (size_t)inner;
  if (x.length != o_n * r_n * i_n || out.length != o_n * i_n) {
    napi_throw_range_error(env, NULL, "reduceSum lengths do not match outer x reduce x inner");
    return NULL;
  }
  if (out.length == 0) return dn_undefined(env);
  if (i_n == 1) {
    for (size_t o = 0; o < o_n; o++) {
      const float *row = x.data + o * r_n;
      double sum = 0.0;
      for (size_t r = 0; r < r_n; r++) sum += row[r];
      out.data[o] = (float)sum;
    }
    return dn_undefined(env);
  }
  /* Column sums: walk x row by row (contiguous) into a double accumulator per output. */
  double *acc = (double *)malloc(i_n * sizeof(double));
  if (acc == NULL) {
    napi_throw_error(env, NULL, "out of memory in reduceSum");
    return NULL;
  }
  for (size_t o = 0; o < o_n; o++) {
    memset(acc, 0, i_n * sizeof(double));
    const float *block = x.data + o * r_n * i_n;
    for (size_t r = 0; r < r_n; r++) {
      const float *row = block + r * i_n;
      for (size_t i = 0; i < i_n; i++) acc[i] += row[i];
    }
    for (size_t i = 0; i < i_n; i++) out.data[o * i_n + i] = (float)acc[i];
  }
  free(acc);
  return dn_undefined(env);
}
