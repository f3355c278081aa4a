#include "conv.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "conv_channels.h"
#include "conv_direct.h"
#include "conv_params.h"
#include "conv_plane.h"
#include "epilogue.h"
#include "napi_util.h"
/* im2col scratch is filled a few images at a time so it stays around 16 MB whatever the batch. */
#define DN_COL_CHUNK_FLOATS ((size_t)4 << 20)

static int read_params(napi_env env, napi_value value, dn_conv_params *p) {
  int32_t raw[DN_CONV_PARAM_COUNT];
  if (dn_get_i32_params(env, value, "params", raw, DN_CONV_PARAM_COUNT)) return -1;
  memcpy(p, raw, sizeof raw);
  if (p->stride_h < 1 || p->stride_w < 1 || p->dil_h < 1 || p->dil_w < 1) {
    napi_throw_range_error(env, NULL, "strides and dilations must be >= 1");
    return -1;
  }
  return 0;
}

#define image_size dn_image_size
#define pixels_out dn_pixels_out
#define patch_size dn_patch_size

/* Few output channels: sgemm's N would be tiny, so the forward pass and the filter gradient run in
 * conv_plane.c (one input channel, up to 4 output channels) or conv_channels.c (vectorised over
 * output channels), and the input gradient in conv_direct.c. */
static int use_direct(const dn_conv_params *p) { return p->out_c < DN_DIRECT_MAX_OUT_CHANNELS; }

static void out_of_memory(napi_env env) { napi_throw_error(env, NULL, "out of memory for convolution scratch"); }

/* A 1x1, stride-1, unpadded convolution over a same-size output reads x as [pixels, inC] directly. */
static int is_pointwise(const dn_conv_params *p) {
  return p->f_h == 1 && p->f_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
         p->pad_left == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
}

static size_t images_per_chunk(const dn_conv_params *p) {
  const size_t per_image = pixels_out(p) * patch_size(p);
  size_t count = per_image == 0 ? 1 : DN_COL_CHUNK_FLOATS / per_image;
  if (count < 1) count = 1;
  if (count > (size_t)p->batch) count = (size_t)p->batch;
  return count;
}

/* col[(img, oh, ow), (fh, fw, c)] = x[img, oh*s - pad + fh*d, ow*s - pad + fw*d, c], zero outside. */
static void im2col(const float *x, float *col, const dn_conv_params *p, size_t images) {
  const size_t in_c = (size_t)p->in_c;
  float *dst = col;
  for (size_t img = 0; img < images; img++) {
    const float *x_img = x + img * image_size(p);
    for (int32_t oh = 0; oh < p->out_h; oh++) {
      for (int32_t ow = 0; ow < p->out_w; ow++) {
        for (int32_t fh = 0; fh < p->f_h; fh++) {
          const int32_t ih = oh * p->stride_h - p->pad_top + fh * p->dil_h;
          for (int32_t fw = 0; fw < p->f_w; fw++) {
            const int32_t iw = ow * p->stride_w - p->pad_left + fw * p->dil_w;
            if (ih < 0 || ih >= p->in_h || iw < 0 || iw >= p->in_w) {
              for (size_t c = 0; c < in_c; c++) dst[c] = 0.0f;
            } else {
              /* A loop, not memcpy: with 1-3 channels the call would cost more than the copy. */
              const float *src = x_img + ((size_t)ih * p->in_w + iw) * in_c;
              for (size_t c = 0; c < in_c; c++) dst[c] = src[c];
            }
            dst += in_c;
          }
        }
      }
    }
  }
}

/* The adjoint of im2col: every patch entry is added back to the input pixel it was read from. */
static void col2im(const float *col, float *dx, const dn_conv_params *p, size_t images) {
  const size_t in_c = (size_t)p->in_c;
  const float *src = col;
  for (size_t img = 0; img < images; img++) {
    float *dx_img = dx + img * image_size(p);
    for (int32_t oh = 0; oh < p->out_h; oh++) {
      for (int32_t ow = 0; ow < p->out_w; ow++) {
        for (int32_t fh = 0; fh < p->f_h; fh++) {
          const int32_t ih = oh * p->stride_h - p->pad_top + fh * p->dil_h;
          for (int32_t fw = 0; fw < p->f_w; fw++) {
            const int32_t iw = ow * p->stride_w - p->pad_left + fw * p->dil_w;
            if (ih >= 0 && ih < p->in_h && iw >= 0 && iw < p->in_w) {
              float *target = dx_img + ((size_t)ih * p->in_w + iw) * in_c;
              for (size_t c = 0; c < in_c; c++) target[c] += src[c];
            }
            src += in_c;
          }
        }
      }
    }
  }
}

static int check_sizes(napi_env env, const dn_conv_params *p, const dn_f32 *x, const char *x_name, const dn_f32 *w,
                       const char *w_name, const dn_f32 *y, const char *y_name) {
  const size_t filter = patch_size(p) * (size_t)p->out_c;
  const size_t input = (size_t)p->batch * image_size(p);
  const size_t output = (size_t)p->batch * pixels_out(p) * (size_t)p->out_c;
  return dn_require_length(env, x, input, x_name) || dn_require_length(env, w, filter, w_name) ||
         dn_require_length(env, y, output, y_name);
}

static float *alloc_col(napi_env env, const dn_conv_params *p, size_t images) {
  float *col = (float *)malloc(images * pixels_out(p) * patch_size(p) * sizeof(float));
  if (col == NULL) napi_throw_error(env, NULL, "out of memory for the im2col buffer");
  return col;
}

/* conv2d(x, filter, y, params, bias?, activation, alpha): y = act(conv(x, filter) + bias). */
napi_value dn_conv2d(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  dn_conv_params p;
  dn_f32 x, w, y, bias;
  int64_t activation;
  double alpha;
  if (argc < 7 || dn_get_f32(env, argv[0], "x", &x) || dn_get_f32(env, argv[1], "filter", &w) ||
      dn_get_f32(env, argv[2], "y", &y) || read_params(env, argv[3], &p) ||
      dn_get_optional_f32(env, argv[4], "bias", &bias) || dn_get_i64(env, argv[5], "activation", &activation) ||
      dn_get_double(env, argv[6], "alpha", &alpha) || check_sizes(env, &p, &x, "x", &w, "filter", &y, "y")) {
    if (argc < 7) napi_throw_type_error(env, NULL, "conv2d expects 7 arguments");
    return NULL;
  }
  if (activation >= DN_ACT_COUNT || (bias.data != NULL && bias.length != 1 && bias.length != (size_t)p.out_c)) {
    napi_throw_range_error(env, NULL, "bad activation code or bias length");
    return NULL;
  }
  const size_t rows_per_image = pixels_out(&p), k = patch_size(&p), out_c = (size_t)p.out_c;
  const size_t total_rows = (size_t)p.batch * rows_per_image;
  if (total_rows == 0 || out_c == 0) return dn_undefined(env);
  if (k == 0) {
    memset(y.data, 0, total_rows * out_c * sizeof(float));
  } else if (dn_conv_plane_supported(&p) || (use_direct(&p) && dn_conv_channels_supported(&p))) {
    /* bias and activation are applied per image inside, while its rows are in cache */
    if ((dn_conv_plane_supported(&p) ? dn_conv_plane_forward : dn_conv_channels_forward)(
            x.data, w.data, y.data, &p, bias.data, bias.length, (int)activation, (float)alpha)) {
      out_of_memory(env);
      return NULL;
    }
    return dn_undefined(env);
  } else if (is_pointwise(&p)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)total_rows, (int)out_c, (int)k, 1.0f, x.data,
                (int)k, w.data, (int)out_c, 0.0f, y.data, (int)out_c);
  } else {
    const size_t chunk = images_per_chunk(&p);
    float *col = alloc_col(env, &p, chunk);
    if (col == NULL) return NULL;
    for (size_t first = 0; first < (size_t)p.batch; first += chunk) {
      const size_t images = first + chunk > (size_t)p.batch ? (size_t)p.batch - first : chunk;
      im2col(x.data + first * image_size(&p), col, &p, images);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(images * rows_per_image), (int)out_c, (int)k,
                  1.0f, col, (int)k, w.data, (int)out_c, 0.0f, y.data + first * rows_per_image * out_c,
                  (int)out_c);
    }
    free(col);
  }
  dn_bias_activation(y.data, total_rows, out_c, bias.data, bias.length, (int)activation, (float)alpha);
  return dn_undefined(env);
}

/* conv2dBackpropInput(dy, filter, dx, params): dx = col2im(dy . filter^T). */
napi_value dn_conv2d_backprop_input(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  dn_conv_params p;
  dn_f32 dy, w, dx;
  if (argc < 4 || dn_get_f32(env, argv[0], "dy", &dy) || dn_get_f32(env, argv[1], "filter", &w) ||
      dn_get_f32(env, argv[2], "dx", &dx) || read_params(env, argv[3], &p) ||
      check_sizes(env, &p, &dx, "dx", &w, "filter", &dy, "dy")) {
    if (argc < 4) napi_throw_type_error(env, NULL, "conv2dBackpropInput expects 4 arguments");
    return NULL;
  }
  const size_t rows_per_image = pixels_out(&p), k = patch_size(&p), out_c = (size_t)p.out_c;
  const size_t input = (size_t)p.batch * image_size(&p);
  if (input == 0) return dn_undefined(env);
  if (use_direct(&p) && out_c > 0 && k > 0) {
    if (dn_conv_direct_backprop_input(dy.data, w.data, dx.data, &p)) {
      out_of_memory(env);
      return NULL;
    }
    return dn_undefined(env);
  }
  if (is_pointwise(&p) && out_c > 0) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(p.batch * rows_per_image), (int)k, (int)out_c, 1.0f,
                dy.data, (int)out_c, w.data, (int)out_c, 0.0f, dx.data, (int)k);
    return dn_undefined(env);
  }
  memset(dx.data, 0, input * sizeof(float));
  if (rows_per_image == 0 || out_c == 0 || k == 0) return dn_undefined(env);
  const size_t chunk = images_per_chunk(&p);
  float *col = alloc_col(env, &p, chunk);
  if (col == NULL) return NULL;
  for (size_t first = 0; first < (size_t)p.batch; first += chunk) {
    const size_t images = first + chunk > (size_t)p.batch ? (size_t)p.batch - first : chunk;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(images * rows_per_image), (int)k, (int)out_c, 1.0f,
                dy.data + first * rows_per_image * out_c, (int)out_c, w.data, (int)out_c, 0.0f, col, (int)k);
    col2im(col, dx.data + first * image_size(&p), &p, images);
  }
  free(col);
  return dn_undefined(env);
}

/* conv2dBackpropFilter(x, dy, dw, params): dw = im2col(x)^T . dy, accumulated over image chunks. */
napi_value dn_conv2d_backprop_filter(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  DN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  dn_conv_params p;
  dn_f32 x, dy, dw;
  if (argc < 4 || dn_get_f32(env, argv[0], "x", &x) || dn_get_f32(env, argv[1], "dy", &dy) ||
      dn_get_f32(env, argv[2], "dw", &dw) || read_params(env, argv[3], &p) ||
      check_sizes(env, &p, &x, "x", &dw, "dw", &dy, "dy")) {
    if (argc < 4) napi_throw_type_error(env, NULL, "conv2dBackpropFilter expects 4 arguments");
    return NULL;
  }
  const size_t rows_per_image = pixels_out(&p), k = patch_size(&p), out_c = (size_t)p.out_c;
  if (k == 0 || out_c == 0) return dn_undefined(env);
  if (rows_per_image == 0 || p.batch == 0) {
    memset(dw.data, 0, k * out_c * sizeof(float));
    return dn_undefined(env);
  }
  if (dn_conv_plane_supported(&p) || (use_direct(&p) && dn_conv_channels_supported(&p))) {
    if ((dn_conv_plane_supported(&p) ? dn_conv_plane_backprop_filter : dn_conv_channels_backprop_filter)(
            x.data, dy.data, dw.data, &p)) {
      out_of_memory(env);
      return NULL;
    }
    return dn_undefined(env);
  }
  if (is_pointwise(&p)) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)out_c, (int)(p.batch * rows_per_image), 1.0f,
                x.data, (int)k, dy.data, (int)out_c, 0.0f, dw.data, (int)out_c);
    return dn_undefined(env);
  }
  const size_t chunk = images_per_chunk(&p);
  float *col = alloc_col(env, &p, chunk);
  if (col == NULL) return NULL;
  for (size_t first = 0; first < (size_t)p.batch; first += chunk) {
    const size_t images = first + chunk > (size_t)p.batch ? (size_t)p.batch - first : chunk;
    im2col(x.data + first * image_size(&p), col, &p, images);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)out_c, (int)(images * rows_per_image), 1.0f,
                col, (int)k, dy.data + first * rows_per_image * out_c, (int)out_c, first == 0 ? 0.0f : 1.0f,
                dw.data, (int)out_c);
  }
  free(col);
  return dn_undefined(env);
}
