#include "optimizer.h"

#include <math.h>

#include "hot.h"
#include "napi_util.h"
#include "parallel.h"

/* Elements per thread: below this a second thread costs more than it saves. */
#define DN_UPDATE_GRAIN ((size_t)1 << 17)

typedef struct {
  const float *w, *g, *m, *v;
  float *out_w, *out_m, *out_v;
  float neg_lr, beta1, beta2, epsilon, one_minus_beta1, one_minus_beta2, bias1, bias2;
  int nesterov;
} dn_update;

/* The loops live in functions whose array parameters are restrict-qualified: GCC only vectorises them
 * once it knows no output array aliases an input (restrict on local variables is not enough). */

/* tfjs: m' = m*b1 + g*(1-b1); v' = v*b2 + g^2*(1-b2); w' = (m'/(1-acc1)) / (sqrt(v'/(1-acc2)) + eps) * -lr + w */
DN_HOT static void adam_loop(size_t n, const float *restrict w, const float *restrict gr, const float *restrict m0,
                             const float *restrict v0, float *restrict out_w, float *restrict out_m,
                             float *restrict out_v, const dn_update u) {
  for (size_t i = 0; i < n; i++) {
    const float g = gr[i];
    const float m = m0[i] * u.beta1 + g * u.one_minus_beta1;
    const float v = v0[i] * u.beta2 + (g * g) * u.one_minus_beta2;
    const float m_hat = m / u.bias1;
    const float v_hat = v / u.bias2;
    const float step = m_hat / (sqrtf(v_hat) + u.epsilon);
    out_m[i] = m;
    out_v[i] = v;
    out_w[i] = step * u.neg_lr + w[i];
  }
}

static void adam_range(void *ctx, size_t begin, size_t end, size_t chunk) {
  (void)chunk;
  const dn_update *u = (const dn_update *)ctx;
  adam_loop(end - begin, u->w + begin, u->g + begin, u->m + begin, u->v + begin, u->out_w + begin,
            u->out_m + begin, u->out_v + begin, *u);
}

/* tfjs: w' = -lr * g + w */
DN_HOT static void sgd_loop(size_t n, const float *restrict w, const float *restrict g, float *restrict out_w,
                            float neg_lr) {
  for (size_t i = 0; i < n; i++) out_w[i] = neg_lr * g[i] + w[i];
}

static void sgd_range(void *ctx, size_t begin, size_t end, size_t chunk) {
  (void)chunk;
  const dn_update *u = (const dn_update *)ctx;
  sgd_loop(end - begin, u->w + begin, u->g + begin, u->out_w + begin, u->neg_lr);
}

/* tfjs: a' = momentum * a + g; w' = -lr * a' + w, or with Nesterov w' = -lr * (g + a' * momentum) + w */
DN_HOT static void momentum_loop(size_t n, const float *restrict w, const float *restrict g,
                                 const float *restrict acc, float *restrict out_w, float *restrict out_acc,
                                 float neg_lr, float momentum, int nesterov) {
  if (nesterov) {
    for (size_t i = 0; i < n; i++) {
      const float a = momentum * acc[i] + g[i];
      out_acc[i] = a;
      out_w[i] = neg_lr * (g[i] + a * momentum) + w[i];
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      const float a = momentum * acc[i] + g[i];
      out_acc[i] = a;
      out_w[i] = neg_lr * a + w[i];
    }
  }
}

static void momentum_range(void *ctx, size_t begin, size_t end, size_t chunk) {
  (void)chunk;
  const dn_update *u = (const dn_update *)ctx;
  momentum_loop(end - begin, u->w + begin, u->g + begin, u->m + begin, u->out_w + begin, u->out_m + begin,
                u->neg_lr, u->beta1, u->nesterov);
}

/* Reads `count` Float32Arrays of one common length into arrays[]; throws and returns -1 otherwise. */
static int read_same_length(napi_env env, napi_value *argv, size_t count, dn_f32 *arrays, const char *const *names) {
  for (size_t i = 0; i < count; i++) {
    if (dn_get_f32(env, argv[i], names[i], &arrays[i])) return -1;
    if (arrays[i].length != arrays[0].length) {
      napi_throw_range_error(env, NULL, "optimizer update arrays must all have the same length");
      return -1;
    }
  }
  return 0;
}

static int read_floats(napi_env env, napi_value *argv, size_t count, float *out) {
  for (size_t i = 0; i < count; i++) {
    double value = 0;
    if (dn_get_double(env, argv[i], "scalar", &value)) return -1;
    out[i] = (float)value;
  }
  return 0;
}

napi_value dn_adam_update(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  static const char *const names[] = {"w", "g", "m", "v", "outW", "outM", "outV"};
  dn_f32 arrays[7];
  float s[8];
  if (argc < 15) {
    napi_throw_type_error(env, NULL, "adamUpdate expects 15 arguments");
    return NULL;
  }
  if (read_same_length(env, argv, 7, arrays, names) || read_floats(env, argv + 7, 8, s)) return NULL;
  dn_update u = {.w = arrays[0].data, .g = arrays[1].data, .m = arrays[2].data, .v = arrays[3].data,
                 .out_w = arrays[4].data, .out_m = arrays[5].data, .out_v = arrays[6].data,
                 .neg_lr = -s[0], .beta1 = s[1], .beta2 = s[2], .epsilon = s[3], .one_minus_beta1 = s[4],
                 .one_minus_beta2 = s[5], .bias1 = s[6], .bias2 = s[7]};
  dn_parallel_for(arrays[0].length, DN_UPDATE_GRAIN, adam_range, &u);
  return dn_undefined(env);
}

napi_value dn_sgd_update(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  static const char *const names[] = {"w", "g", "outW"};
  dn_f32 arrays[3];
  float s[1];
  if (argc < 4) {
    napi_throw_type_error(env, NULL, "sgdUpdate expects 4 arguments");
    return NULL;
  }
  if (read_same_length(env, argv, 3, arrays, names) || read_floats(env, argv + 3, 1, s)) return NULL;
  dn_update u = {.w = arrays[0].data, .g = arrays[1].data, .out_w = arrays[2].data, .neg_lr = s[0]};
  dn_parallel_for(arrays[0].length, DN_UPDATE_GRAIN, sgd_range, &u);
  return dn_undefined(env);
}

napi_value dn_momentum_update(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  static const char *const names[] = {"w", "g", "acc", "outW", "outAcc"};
  dn_f32 arrays[5];
  float s[2];
  int nesterov = 0;
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "momentumUpdate expects 8 arguments");
    return NULL;
  }
  if (read_same_length(env, argv, 5, arrays, names) || read_floats(env, argv + 5, 2, s) ||
      dn_get_bool(env, argv[7], "nesterov", &nesterov)) {
    return NULL;
  }
  dn_update u = {.w = arrays[0].data, .g = arrays[1].data, .m = arrays[2].data, .out_w = arrays[3].data,
                 .out_m = arrays[4].data, .neg_lr = s[0], .beta1 = s[1], .nesterov = nesterov};
  dn_parallel_for(arrays[0].length, DN_UPDATE_GRAIN, momentum_range, &u);
  return dn_undefined(env);
}
