#include "pool.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "napi_util.h"
#include "parallel.h"

/* Field order must match POOL_PARAM_FIELDS in src/pool-params.ts. */
typedef struct {
  int32_t batch, in_h, in_w, channels, out_h, out_w, f_h, f_w, stride_h, stride_w, pad_top, pad_left;
} dn_pool_params;

#define DN_POOL_PARAM_COUNT 12

static int read_params(napi_env env, napi_value value, dn_pool_params *p) {
  int32_t raw[DN_POOL_PARAM_COUNT];
  if (dn_get_i32_params(env, value, "params", raw, DN_POOL_PARAM_COUNT)) return -1;
  memcpy(p, raw, sizeof raw);
  if (p->stride_h < 1 || p->stride_w < 1) {
    napi_throw_range_error(env, NULL, "pool strides must be >= 1");
    return -1;
  }
  return 0;
}

static size_t input_size(const dn_pool_params *p) { return (size_t)p->batch * p->in_h * p->in_w * p->channels; }
static size_t output_size(const dn_pool_params *p) { return (size_t)p->batch * p->out_h * p->out_w * p->channels; }

/* The valid input rows/cols of an output position's window (padding excluded), as the stock kernels clip them. */
typedef struct {
  int32_t r0, r1, c0, c1;
} window;

static window window_at(const dn_pool_params *p, int32_t oh, int32_t ow) {
  const int32_t r = oh * p->stride_h - p->pad_top, c = ow * p->stride_w - p->pad_left;
  window w = {r < 0 ? 0 : r, r + p->f_h > p->in_h ? p->in_h : r + p->f_h, c < 0 ? 0 : c,
              c + p->f_w > p->in_w ? p->in_w : c + p->f_w};
  return w;
}

static int read_in_out(napi_env env, napi_callback_info info, size_t expected, napi_value *argv) {
  size_t argc = expected;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    dn_throw_last_error(env);
    return -1;
  }
  return 0;
}

/* Input elements per thread: below this a second thread costs more than it saves. */
#define DN_POOL_GRAIN_ELEMENTS ((size_t)1 << 17)

static size_t image_grain(const dn_pool_params *p) {
  const size_t per_image = (size_t)p->in_h * p->in_w * p->channels;
  return per_image == 0 ? (size_t)p->batch : (DN_POOL_GRAIN_ELEMENTS + per_image - 1) / per_image;
}

typedef struct {
  const dn_pool_params *p;
  const float *x, *dy;
  float *y, *dx;
  volatile int failed;
} dn_pool_job;

static void max_pool_images(void *ctx, size_t b_begin, size_t b_end, size_t chunk) {
  (void)chunk;
  const dn_pool_job *job = (const dn_pool_job *)ctx;
  const dn_pool_params *p = job->p;
  const size_t ch = (size_t)p->channels;
  for (size_t b = b_begin; b < b_end; b++) {
    const float *xb = job->x + b * p->in_h * p->in_w * ch;
    for (int32_t oh = 0; oh < p->out_h; oh++) {
      for (int32_t ow = 0; ow < p->out_w; ow++) {
        float *out = job->y + ((b * p->out_h + oh) * p->out_w + ow) * ch;
        for (size_t c = 0; c < ch; c++) out[c] = -INFINITY;
        const window w = window_at(p, oh, ow);
        for (int32_t r = w.r0; r < w.r1; r++) {
          for (int32_t col = w.c0; col < w.c1; col++) {
            const float *px = xb + ((size_t)r * p->in_w + col) * ch;
            for (size_t c = 0; c < ch; c++) out[c] = px[c] > out[c] ? px[c] : out[c];
          }
        }
      }
    }
  }
}

/* maxPool(x, y, params): per channel the first strict maximum of the window; NaN never wins, an
 * all-NaN window yields -Infinity (tfjs-backend-cpu's pool()). Split by images over threads. */
napi_value dn_max_pool(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  dn_pool_params p;
  dn_f32 x, y;
  if (read_in_out(env, info, 3, argv) || dn_get_f32(env, argv[0], "x", &x) || dn_get_f32(env, argv[1], "y", &y) ||
      read_params(env, argv[2], &p) || dn_require_length(env, &x, input_size(&p), "x") ||
      dn_require_length(env, &y, output_size(&p), "y")) {
    return NULL;
  }
  dn_pool_job job = {.p = &p, .x = x.data, .y = y.data};
  dn_parallel_for((size_t)p.batch, image_grain(&p), max_pool_images, &job);
  return dn_undefined(env);
}

static void max_pool_grad_images(void *ctx, size_t b_begin, size_t b_end, size_t chunk) {
  (void)chunk;
  dn_pool_job *job = (dn_pool_job *)ctx;
  const dn_pool_params *p = job->p;
  const size_t ch = (size_t)p->channels, image_size = (size_t)p->in_h * p->in_w * ch;
  memset(job->dx + b_begin * image_size, 0, (b_end - b_begin) * image_size * sizeof(float));
  float *best = (float *)malloc(ch * sizeof(float));
  size_t *where = (size_t *)malloc(ch * sizeof(size_t));
  if (best == NULL || where == NULL) {
    job->failed = 1;
    free(best);
    free(where);
    return;
  }
  const size_t none = (size_t)-1;
  for (size_t b = b_begin; b < b_end; b++) {
    const size_t image = b * image_size;
    for (int32_t oh = 0; oh < p->out_h; oh++) {
      for (int32_t ow = 0; ow < p->out_w; ow++) {
        for (size_t c = 0; c < ch; c++) {
          best[c] = -INFINITY;
          where[c] = none;
        }
        const window w = window_at(p, oh, ow);
        for (int32_t r = w.r0; r < w.r1; r++) {
          for (int32_t col = w.c0; col < w.c1; col++) {
            const size_t offset = image + ((size_t)r * p->in_w + col) * ch;
            const float *px = job->x + offset;
            for (size_t c = 0; c < ch; c++) {
              if (px[c] > best[c]) {
                best[c] = px[c];
                where[c] = offset + c;
              }
            }
          }
        }
        const float *g = job->dy + ((b * p->out_h + oh) * p->out_w + ow) * ch;
        for (size_t c = 0; c < ch; c++) {
          if (where[c] != none) job->dx[where[c]] += g[c];
        }
      }
    }
  }
  free(best);
  free(where);
}

/* maxPoolGrad(x, dy, dx, params): each dy goes to its window's first strict maximum in x (none
 * when every value is NaN or -Infinity), matching maxPoolPositions() + MaxPoolGrad in tfjs-backend-cpu.
 * Windows never reach into another image, so images split over threads write disjoint parts of dx. */
napi_value dn_max_pool_grad(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  dn_pool_params p;
  dn_f32 x, dy, dx;
  if (read_in_out(env, info, 4, argv) || dn_get_f32(env, argv[0], "x", &x) || dn_get_f32(env, argv[1], "dy", &dy) ||
      dn_get_f32(env, argv[2], "dx", &dx) || read_params(env, argv[3], &p) ||
      dn_require_length(env, &x, input_size(&p), "x") || dn_require_length(env, &dy, output_size(&p), "dy") ||
      dn_require_length(env, &dx, input_size(&p), "dx")) {
    return NULL;
  }
  if (p.channels == 0) {
    memset(dx.data, 0, input_size(&p) * sizeof(float));
    return dn_undefined(env);
  }
  dn_pool_job job = {.p = &p, .x = x.data, .dy = dy.data, .dx = dx.data};
  dn_parallel_for((size_t)p.batch, image_grain(&p), max_pool_grad_images, &job);
  if (job.failed) {
    napi_throw_error(env, NULL, "out of memory in maxPoolGrad");
    return NULL;
  }
  return dn_undefined(env);
}

/* avgPool(x, y, params): mean over the window's valid (unpadded) positions. */
napi_value dn_avg_pool(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  dn_pool_params p;
  dn_f32 x, y;
  if (read_in_out(env, info, 3, argv) || dn_get_f32(env, argv[0], "x", &x) || dn_get_f32(env, argv[1], "y", &y) ||
      read_params(env, argv[2], &p) || dn_require_length(env, &x, input_size(&p), "x") ||
      dn_require_length(env, &y, output_size(&p), "y")) {
    return NULL;
  }
  const size_t ch = (size_t)p.channels;
  for (int32_t b = 0; b < p.batch; b++) {
    const float *xb = x.data + (size_t)b * p.in_h * p.in_w * ch;
    for (int32_t oh = 0; oh < p.out_h; oh++) {
      for (int32_t ow = 0; ow < p.out_w; ow++) {
        float *out = y.data + (((size_t)b * p.out_h + oh) * p.out_w + ow) * ch;
        memset(out, 0, ch * sizeof(float));
        const window w = window_at(&p, oh, ow);
        for (int32_t r = w.r0; r < w.r1; r++) {
          for (int32_t col = w.c0; col < w.c1; col++) {
            const float *px = xb + ((size_t)r * p.in_w + col) * ch;
            for (size_t c = 0; c < ch; c++) out[c] += px[c];
          }
        }
        const float count = (float)((w.r1 - w.r0) * (w.c1 - w.c0));
        for (size_t c = 0; c < ch; c++) out[c] /= count;
      }
    }
  }
  return dn_undefined(env);
}

/* avgPoolGrad(dy, dx, params): tfjs-backend-cpu scales every window's dy by 1 / (filterH * filterW),
 * padded positions included (unlike the forward pass); reproduced as is. */
napi_value dn_avg_pool_grad(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  dn_pool_params p;
  dn_f32 dy, dx;
  if (read_in_out(env, info, 3, argv) || dn_get_f32(env, argv[0], "dy", &dy) || dn_get_f32(env, argv[1], "dx", &dx) ||
      read_params(env, argv[2], &p) || dn_require_length(env, &dy, output_size(&p), "dy") ||
      dn_require_length(env, &dx, input_size(&p), "dx")) {
    return NULL;
  }
  const size_t ch = (size_t)p.channels;
  const float scale = 1.0f / (float)(p.f_h * p.f_w);
  memset(dx.data, 0, input_size(&p) * sizeof(float));
  for (int32_t b = 0; b < p.batch; b++) {
    float *dxb = dx.data + (size_t)b * p.in_h * p.in_w * ch;
    for (int32_t oh = 0; oh < p.out_h; oh++) {
      for (int32_t ow = 0; ow < p.out_w; ow++) {
        const float *g = dy.data + (((size_t)b * p.out_h + oh) * p.out_w + ow) * ch;
        const window w = window_at(&p, oh, ow);
        for (int32_t r = w.r0; r < w.r1; r++) {
          for (int32_t col = w.c0; col < w.c1; col++) {
            float *target = dxb + ((size_t)r * p.in_w + col) * ch;
            for (size_t c = 0; c < ch; c++) target[c] += g[c] * scale;
          }
        }
      }
    }
  }
  return dn_undefined(env);
}
