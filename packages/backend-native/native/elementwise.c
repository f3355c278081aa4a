#include "elementwise.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "napi_util.h"

/* Must match BINARY_OPS / UNARY_OPS in src/kernels/elementwise-codes.ts. */
enum { DN_ADD = 0, DN_SUB = 1, DN_MUL = 2, DN_DIV = 3, DN_BINARY_COUNT = 4 };
enum { DN_SQRT = 0, DN_SQUARE = 1, DN_RELU = 2, DN_STEP = 3, DN_EXP = 4, DN_ERF = 5, DN_UNARY_COUNT = 6 };

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

/* Blocks shorter than this are repeated into a longer one first, so the inner loops run long enough to
 * vectorise (a conv bias has 3-16 values per pixel). */
#define DN_SHORT_BLOCK 64

/* One operand spans the n outputs, the other is a block of `period` values repeated (period divides n). */
static void binary_tiled(int op, const float *a, size_t a_len, const float *b, size_t b_len, float *out, size_t n) {
  const int block_is_b = b_len < n;
  const float *block = block_is_b ? b : a;
  size_t period = block_is_b ? b_len : a_len;
  float repeated[2 * DN_SHORT_BLOCK];
  if (period < DN_SHORT_BLOCK) {
    const size_t copies = (DN_SHORT_BLOCK + period - 1) / period;
    for (size_t i = 0; i < copies * period; i++) repeated[i] = block[i % period];
    block = repeated;
    period *= copies;
  }
  /* whole periods, then a tail that is a prefix of one (n is a multiple of the original period) */
  const size_t whole = n / period * period;
  if (block_is_b) {
    TILE_B[op](a, block, out, whole, period);
    if (whole < n) FULL[op](a + whole, block, out + whole, n - whole);
  } else {
    TILE_A[op](block, b, out, whole, period);
    if (whole < n) FULL[op](block, b + whole, out + whole, n - whole);
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
  } else {
    binary_tiled((int)op, a.data, a.length, b.data, b.length, out.data, n);
  }
  return dn_undefined(env);
}

#define DN_MAX_BROADCAST_RANK 8

/* out[i0..ir] = a[sum ik * a_stride_k] (op) b[sum ik * b_stride_k]: general broadcasting. The caller
 * collapses dimensions first, so the innermost stride of each operand is 1 or 0 (broadcast) and the
 * inner loop is one of the vectorised row loops above. */
static void binary_strided(int op, const float *a, const float *b, float *out, size_t rank, const size_t *dims,
                           const size_t *sa, const size_t *sb) {
  const size_t inner = dims[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
  size_t index[DN_MAX_BROADCAST_RANK] = {0};
  size_t rows = 1;
  for (size_t d = 0; d + 1 < rank; d++) rows *= dims[d];
  for (size_t row = 0; row < rows; row++) {
    size_t oa = 0, ob = 0;
    for (size_t d = 0; d + 1 < rank; d++) {
      oa += index[d] * sa[d];
      ob += index[d] * sb[d];
    }
    float *po = out + row * inner;
    if (ia == 1 && ib == 1) {
      FULL[op](a + oa, b + ob, po, inner);
    } else if (ia == 1) {
      binary_scalar_b(op, a + oa, b[ob], po, inner);
    } else if (ib == 1) {
      binary_scalar_a(op, a[oa], b + ob, po, inner);
    } else {
      binary_scalar_b(op, a + oa, b[ob], po, 1);
      for (size_t t = 1; t < inner; t++) po[t] = po[0];
    }
    for (size_t d = rank - 1; d-- > 0;) {
      if (++index[d] < dims[d]) break;
      index[d] = 0;
    }
  }
}

/* binaryBroadcast(op, a, b, out, geometry): geometry is an Int32Array [rank, dims..., aStrides...,
 * bStrides...] with innermost strides of 0 or 1. */
napi_value dn_binary_broadcast(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t op;
  dn_f32 a, b, out;
  int32_t rank32 = 0;
  if (argc < 5 || dn_get_i64(env, argv[0], "op", &op) || dn_get_f32(env, argv[1], "a", &a) ||
      dn_get_f32(env, argv[2], "b", &b) || dn_get_f32(env, argv[3], "out", &out) ||
      dn_get_i32_params(env, argv[4], "geometry", &rank32, 1)) {
    return NULL;
  }
  const size_t rank = (size_t)rank32;
  if (op >= DN_BINARY_COUNT || rank < 1 || rank > DN_MAX_BROADCAST_RANK) {
    napi_throw_range_error(env, NULL, "unknown binary op or unsupported rank");
    return NULL;
  }
  int32_t raw[1 + 3 * DN_MAX_BROADCAST_RANK];
  if (dn_get_i32_params(env, argv[4], "geometry", raw, 1 + 3 * rank)) return NULL;
  size_t dims[DN_MAX_BROADCAST_RANK], sa[DN_MAX_BROADCAST_RANK], sb[DN_MAX_BROADCAST_RANK];
  size_t size = 1, last_a = 0, last_b = 0;
  for (size_t d = 0; d < rank; d++) {
    dims[d] = (size_t)raw[1 + d];
    sa[d] = (size_t)raw[1 + rank + d];
    sb[d] = (size_t)raw[1 + 2 * rank + d];
    size *= dims[d];
    if (dims[d] > 0) {
      last_a += (dims[d] - 1) * sa[d];
      last_b += (dims[d] - 1) * sb[d];
    }
  }
  if (size == 0) return dn_undefined(env);
  /* Bounds: the furthest element either operand is read at must exist. */
  if (out.length != size || last_a >= a.length || last_b >= b.length || sa[rank - 1] > 1 || sb[rank - 1] > 1) {
    napi_throw_range_error(env, NULL, "binaryBroadcast geometry does not fit the arrays");
    return NULL;
  }
  binary_strided((int)op, a.data, b.data, out.data, rank, dims, sa, sb);
  return dn_undefined(env);
}

/* tfjs-backend-cpu's Erf: the Abramowitz-Stegun 7.1.26 approximation with backend_util's ERF_*
 * constants, evaluated in double as the JS kernel does, then rounded to float32. */
static float dn_erf_as(float xf) {
  const double p = 0.3275911, a1 = 0.254829592, a2 = -0.284496736, a3 = 1.421413741, a4 = -1.453152027,
               a5 = 1.061405429;
  const double x = xf;
  const double v = fabs(x);
  const double t = 1.0 / (1.0 + p * v);
  const double sign = x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : x); /* Math.sign: +-0 and NaN pass through */
  return (float)(sign * (1.0 - (((((a5 * t + a4) * t + a3) * t + a2) * t + a1) * t * exp(-v * v))));
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
    /* glibc's expf is within 0.502 ulp; the stock kernel's Math.exp rounded to float32 within 0.5. */
    case DN_EXP: for (size_t i = 0; i < n; i++) o[i] = expf(in[i]); break;
    case DN_ERF:
      for (size_t i = 0; i < n; i++) o[i] = dn_erf_as(in[i]);
      break;
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
  /* Column sums: walk x row by row (contiguous) into a double accumulator per output. Short rows (a
   * conv bias gradient sums rows of 3-16 values) are walked `group` rows at a time, into group * inner
   * accumulators folded at the end, so the inner loop is long enough to vectorise. */
  const size_t group = i_n < 64 && r_n >= 2 * ((64 + i_n - 1) / i_n) ? (64 + i_n - 1) / i_n : 1;
  if (group > 1) {
    const size_t width = group * i_n;
    double *wide = (double *)malloc(width * sizeof(double));
    if (wide == NULL) {
      napi_throw_error(env, NULL, "out of memory in reduceSum");
      return NULL;
    }
    for (size_t o = 0; o < o_n; o++) {
      memset(wide, 0, width * sizeof(double));
      const float *block = x.data + o * r_n * i_n;
      const size_t runs = r_n / group;
      for (size_t r = 0; r < runs; r++) {
        const float *row = block + r * width;
        for (size_t i = 0; i < width; i++) wide[i] += row[i];
      }
      for (size_t r = runs * group; r < r_n; r++) {
        for (size_t i = 0; i < i_n; i++) wide[i] += block[r * i_n + i];
      }
      for (size_t i = 0; i < i_n; i++) {
        double sum = 0.0;
        for (size_t g = 0; g < group; g++) sum += wide[g * i_n + i];
        out.data[o * i_n + i] = (float)sum;
      }
    }
    free(wide);
    return dn_undefined(env);
  }
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

napi_value dn_softmax_rows(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  dn_f32 x, out;
  int64_t width;
  if (argc < 3 || dn_get_f32(env, argv[0], "x", &x) || dn_get_f32(env, argv[1], "out", &out) ||
      dn_get_i64(env, argv[2], "width", &width)) {
    return NULL;
  }
  const size_t n = (size_t)width;
  if (n == 0 || out.length != x.length || x.length % n != 0) {
    napi_throw_range_error(env, NULL, "softmaxRows: out must match x, whose length must be a multiple of width");
    return NULL;
  }
  for (size_t start = 0; start < x.length; start += n) {
    const float *row = x.data + start;
    float *o = out.data + start;
    /* NaN wins, as in the stock Max kernel, so a row holding NaN is NaN everywhere. */
    float max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
      if (row[i] > max || isnan(row[i])) max = row[i];
    }
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
      o[i] = expf(row[i] - max);
      sum += o[i];
    }
    const float total = (float)sum;
    for (size_t i = 0; i < n; i++) o[i] = o[i] / total;
  }
  return dn_undefined(env);
}
