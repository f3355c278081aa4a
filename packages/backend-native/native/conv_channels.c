#include "conv_channels.h"

#include <stdlib.h>
#include <string.h>

#include "epilogue.h"
#include "hot.h"
#include "parallel.h"

/* Eight floats; GCC lowers arithmetic on it to one AVX2 instruction in the AVX2 clone and to two SSE
 * instructions in the generic one. `aligned(4)` lets it load from any float address. */
typedef float dn_v8 __attribute__((vector_size(32), aligned(4)));

/* Accumulator registers of a tile: pixels (or patch entries) x output-channel vectors <= 12. */
#define DN_TILE_REGS 12

/* Geometry shared by every image: the tiles read patches from `x`, the image itself when no window
 * leaves it, else a zero-padded copy (pad_image) with padded_w columns, so no read needs a bounds check. */
typedef struct {
  const dn_conv_params *p;
  size_t patch, vectors, padded_w; /* vectors = output channels / 8, rounded up */
  const int32_t *k_offset;         /* patch entry k -> float offset of its input inside a window */
  const size_t *origin;            /* output pixel q -> float offset of its window inside the image */
} dn_geometry;

static size_t vectors_for(int32_t channels) { return ((size_t)channels + 7) / 8; }

static int needs_padding(const dn_conv_params *p) {
  const long last_h = (long)(p->out_h - 1) * p->stride_h - p->pad_top + (long)(p->f_h - 1) * p->dil_h;
  const long last_w = (long)(p->out_w - 1) * p->stride_w - p->pad_left + (long)(p->f_w - 1) * p->dil_w;
  return p->pad_top > 0 || p->pad_left > 0 || last_h >= p->in_h || last_w >= p->in_w;
}

/* Rows and columns of the zero-padded image: every window of every output pixel lies inside. */
static size_t padded_rows(const dn_conv_params *p) {
  return (size_t)((long)(p->out_h - 1) * p->stride_h + (long)(p->f_h - 1) * p->dil_h + 1);
}
static size_t padded_cols(const dn_conv_params *p) {
  return (size_t)((long)(p->out_w - 1) * p->stride_w + (long)(p->f_w - 1) * p->dil_w + 1);
}

/* Copies image `x_img` into `dst` ([padded_rows][padded_cols][in_c]) shifted by the padding, zeros elsewhere. */
static void pad_image(const float *x_img, const dn_conv_params *p, float *dst) {
  const size_t rows = padded_rows(p), cols = padded_cols(p), c = (size_t)p->in_c;
  memset(dst, 0, rows * cols * c * sizeof(float));
  for (int32_t ih = 0; ih < p->in_h; ih++) {
    const long r = (long)ih + p->pad_top;
    if (r < 0 || r >= (long)rows) continue;
    const long first = p->pad_left;
    long count = p->in_w;
    if (first + count > (long)cols) count = (long)cols - first;
    if (count <= 0) continue;
    memcpy(dst + ((size_t)r * cols + (size_t)first) * c, x_img + (size_t)ih * p->in_w * c, (size_t)count * c * sizeof(float));
  }
}

/* y[q][o] for PIX pixels starting at q0 (fewer at the end), NV vectors of output channels:
 * acc = sum_k x[window(q) + k_offset[k]] * w[k][:], k in order. */
#define DN_FORWARD_TILE(PIX, NV)                                                                            \
  DN_HOT static void forward_tile_##PIX##_##NV(const float *x, const dn_geometry *g, const float *wp,     \
                                               size_t q0, size_t count, float *y) {                          \
    const dn_conv_params *p = g->p;                                                                         \
    size_t origin[PIX];                                                                                     \
    for (size_t t = 0; t < PIX; t++) origin[t] = g->origin[q0 + (t < count ? t : count - 1)];              \
    dn_v8 acc[PIX][NV];                                                                                     \
    for (size_t t = 0; t < PIX; t++)                                                                        \
      for (size_t v = 0; v < NV; v++) acc[t][v] = (dn_v8){0};                                               \
    const float *wk = wp;                                                                                   \
    for (size_t k = 0; k < g->patch; k++, wk += NV * 8) {                                                   \
      dn_v8 w[NV];                                                                                          \
      for (size_t v = 0; v < NV; v++) w[v] = *(const dn_v8 *)(wk + 8 * v);                                  \
      const float *xk = x + g->k_offset[k];                                                                 \
      for (size_t t = 0; t < PIX; t++) {                                                                    \
        /* scalar * vector: GCC broadcasts the scalar with one vbroadcastss */                              \
        const float s = xk[origin[t]];                                                                      \
        for (size_t v = 0; v < NV; v++) acc[t][v] += s * w[v];                                              \
      }                                                                                                     \
    }                                                                                                       \
    const size_t out_c = (size_t)p->out_c, pixels = dn_pixels_out(p);                                      \
    for (size_t t = 0; t < count && t < PIX; t++) {                                                         \
      float *dst = y + (q0 + t) * out_c;                                                                    \
      if ((q0 + t) * out_c + NV * 8 <= pixels * out_c) {                                                    \
        /* Whole vectors: lanes past out_c land on later pixels of this image, written after this one. */   \
        for (size_t v = 0; v < NV; v++) *(dn_v8 *)(dst + 8 * v) = acc[t][v];                                \
      } else {                                                                                              \
        float lanes[NV * 8];                                                                                \
        memcpy(lanes, acc[t], sizeof lanes);                                                                \
        for (size_t o = 0; o < out_c; o++) dst[o] = lanes[o];                                               \
      }                                                                                                     \
    }                                                                                                       \
  }

DN_FORWARD_TILE(12, 1)
DN_FORWARD_TILE(6, 2)
DN_FORWARD_TILE(4, 3)
DN_FORWARD_TILE(3, 4)

/* dw[k][:] += sum_q x[window(q) + k_offset[k]] * dy[q][:] for KT patch entries from k0 (fewer at the
 * end), over the image's pixels; dyp rows are padded to NV * 8 floats. */
#define DN_FILTER_TILE(KT, NV)                                                                              \
  DN_HOT static void filter_tile_##KT##_##NV(const float *x, const dn_geometry *g, const float *dyp,     \
                                             size_t k0, size_t kcount, double *dw_partial) {                 \
    const dn_conv_params *p = g->p;                                                                         \
    int32_t off[KT];                                                                                        \
    for (size_t r = 0; r < KT; r++) off[r] = g->k_offset[k0 + (r < kcount ? r : kcount - 1)];               \
    dn_v8 acc[KT][NV];                                                                                      \
    for (size_t r = 0; r < KT; r++)                                                                         \
      for (size_t v = 0; v < NV; v++) acc[r][v] = (dn_v8){0};                                               \
    const size_t pixels = dn_pixels_out(p);                                                                 \
    for (size_t q = 0; q < pixels; q++) {                                                                   \
      const float *xq = x + g->origin[q];                                                                   \
      dn_v8 d[NV];                                                                                          \
      for (size_t v = 0; v < NV; v++) d[v] = *(const dn_v8 *)(dyp + q * NV * 8 + 8 * v);                    \
      for (size_t r = 0; r < KT; r++) {                                                                     \
        const float s = xq[off[r]];                                                                         \
        for (size_t v = 0; v < NV; v++) acc[r][v] += s * d[v];                                              \
      }                                                                                                     \
    }                                                                                                       \
    const size_t out_c = (size_t)p->out_c;                                                                  \
    for (size_t r = 0; r < kcount && r < KT; r++) {                                                         \
      float lanes[NV * 8];                                                                                  \
      memcpy(lanes, acc[r], sizeof lanes);                                                                  \
      for (size_t o = 0; o < out_c; o++) dw_partial[(k0 + r) * out_c + o] += lanes[o];                      \
    }                                                                                                       \
  }

DN_FILTER_TILE(12, 1)
DN_FILTER_TILE(6, 2)
DN_FILTER_TILE(4, 3)
DN_FILTER_TILE(3, 4)

typedef struct {
  const float *x, *dy, *wp, *bias;
  float *y;
  const dn_geometry *g;
  size_t bias_len;
  int activation;
  float alpha;
  int padded;
  double *partials;
  volatile int failed;
} dn_channels_job;

static size_t tile_pixels(size_t vectors) { return DN_TILE_REGS / vectors; }

static void forward_images(void *ctx, size_t b_begin, size_t b_end, size_t chunk) {
  (void)chunk;
  dn_channels_job *job = (dn_channels_job *)ctx;
  const dn_geometry *g = job->g;
  const dn_conv_params *p = g->p;
  const size_t pixels = dn_pixels_out(p), out_c = (size_t)p->out_c, tile = tile_pixels(g->vectors);
  float *scratch = job->padded ? (float *)malloc(padded_rows(p) * g->padded_w * (size_t)p->in_c * sizeof(float)) : NULL;
  if (job->padded && scratch == NULL) {
    job->failed = 1;
    return;
  }
  for (size_t b = b_begin; b < b_end; b++) {
    const float *x = job->x + b * dn_image_size(p);
    if (job->padded) {
      pad_image(x, p, scratch);
      x = scratch;
    }
    float *y = job->y + b * pixels * out_c;
    for (size_t q0 = 0; q0 < pixels; q0 += tile) {
      const size_t count = pixels - q0 < tile ? pixels - q0 : tile;
      switch (g->vectors) {
        case 1: forward_tile_12_1(x, g, job->wp, q0, count, y); break;
        case 2: forward_tile_6_2(x, g, job->wp, q0, count, y); break;
        case 3: forward_tile_4_3(x, g, job->wp, q0, count, y); break;
        default: forward_tile_3_4(x, g, job->wp, q0, count, y); break;
      }
    }
    dn_bias_activation(y, pixels, out_c, job->bias, job->bias_len, job->activation, job->alpha);
  }
  free(scratch);
}

static void filter_images(void *ctx, size_t b_begin, size_t b_end, size_t chunk) {
  dn_channels_job *job = (dn_channels_job *)ctx;
  const dn_geometry *g = job->g;
  const dn_conv_params *p = g->p;
  const size_t pixels = dn_pixels_out(p), out_c = (size_t)p->out_c, width = g->vectors * 8;
  const size_t tile = DN_TILE_REGS / g->vectors;
  double *partial = job->partials + chunk * g->patch * out_c;
  memset(partial, 0, g->patch * out_c * sizeof(double));
  float *dyp = (float *)calloc(pixels * width, sizeof(float));
  float *scratch = job->padded ? (float *)malloc(padded_rows(p) * g->padded_w * (size_t)p->in_c * sizeof(float)) : NULL;
  if (dyp == NULL || (job->padded && scratch == NULL)) {
    job->failed = 1;
  } else {
    for (size_t b = b_begin; b < b_end; b++) {
      const float *x = job->x + b * dn_image_size(p);
      if (job->padded) {
        pad_image(x, p, scratch);
        x = scratch;
      }
      /* dy rows padded to whole vectors (the pad lanes stay zero from calloc) */
      const float *dy = job->dy + b * pixels * out_c;
      for (size_t q = 0; q < pixels; q++) memcpy(dyp + q * width, dy + q * out_c, out_c * sizeof(float));
      for (size_t k0 = 0; k0 < g->patch; k0 += tile) {
        const size_t count = g->patch - k0 < tile ? g->patch - k0 : tile;
        switch (g->vectors) {
          case 1: filter_tile_12_1(x, g, dyp, k0, count, partial); break;
          case 2: filter_tile_6_2(x, g, dyp, k0, count, partial); break;
          case 3: filter_tile_4_3(x, g, dyp, k0, count, partial); break;
          default: filter_tile_3_4(x, g, dyp, k0, count, partial); break;
        }
      }
    }
  }
  free(dyp);
  free(scratch);
}

/* Fills g with its k_offset and origin tables (the caller frees both with free_geometry); returns -1
 * when out of memory. The window origin of output pixel (oh, ow) is (oh * stride_h, ow * stride_w) in
 * the padded image, or in the image itself when nothing pads (pad_image places the input at
 * (pad_top, pad_left)). Both tables are the same for every image. */
static int make_geometry(const dn_conv_params *p, dn_geometry *g, int32_t **offsets, size_t **origins) {
  const int padded = needs_padding(p);
  g->p = p;
  g->patch = dn_patch_size(p);
  g->vectors = vectors_for(p->out_c);
  g->padded_w = padded ? padded_cols(p) : (size_t)p->in_w;
  *offsets = (int32_t *)malloc((g->patch ? g->patch : 1) * sizeof(int32_t));
  *origins = (size_t *)malloc((dn_pixels_out(p) ? dn_pixels_out(p) : 1) * sizeof(size_t));
  if (*offsets == NULL || *origins == NULL) {
    free(*offsets);
    free(*origins);
    return -1;
  }
  size_t q = 0;
  for (int32_t oh = 0; oh < p->out_h; oh++) {
    for (int32_t ow = 0; ow < p->out_w; ow++) {
      (*origins)[q++] = (((size_t)oh * p->stride_h) * g->padded_w + (size_t)ow * p->stride_w) * p->in_c;
    }
  }
  g->origin = *origins;
  size_t k = 0;
  for (int32_t fh = 0; fh < p->f_h; fh++) {
    for (int32_t fw = 0; fw < p->f_w; fw++) {
      for (int32_t ci = 0; ci < p->in_c; ci++) {
        (*offsets)[k++] = (int32_t)((((size_t)fh * p->dil_h) * g->padded_w + (size_t)fw * p->dil_w) * p->in_c + ci);
      }
    }
  }
  g->k_offset = *offsets;
  return 0;
}

static size_t image_grain(const dn_conv_params *p) {
  const size_t macs = dn_pixels_out(p) * dn_patch_size(p) * (size_t)p->out_c;
  return macs == 0 ? (size_t)p->batch : (DN_MACS_PER_THREAD + macs - 1) / macs;
}

int dn_conv_channels_supported(const dn_conv_params *p) {
  return p->out_c >= 1 && p->out_c <= 32 && dn_patch_size(p) > 0 && dn_pixels_out(p) > 0 &&
         padded_rows(p) * padded_cols(p) * (size_t)p->in_c < ((size_t)1 << 31);
}

int dn_conv_channels_forward(const float *x, const float *w, float *y, const dn_conv_params *p, const float *bias,
                             size_t bias_len, int activation, float alpha) {
  dn_geometry g;
  int32_t *offsets = NULL;
  size_t *origins = NULL;
  if (make_geometry(p, &g, &offsets, &origins)) return -1;
  const size_t width = g.vectors * 8, out_c = (size_t)p->out_c;
  float *wp = (float *)calloc(g.patch * width, sizeof(float));
  if (wp == NULL) {
    free(offsets);
    free(origins);
    return -1;
  }
  for (size_t k = 0; k < g.patch; k++) memcpy(wp + k * width, w + k * out_c, out_c * sizeof(float));
  dn_channels_job job = {.x = x, .wp = wp, .bias = bias, .y = y, .g = &g, .bias_len = bias_len,
                         .activation = activation, .alpha = alpha, .padded = needs_padding(p)};
  dn_parallel_for((size_t)p->batch, image_grain(p), forward_images, &job);
  free(wp);
  free(offsets);
  free(origins);
  return job.failed ? -1 : 0;
}

int dn_conv_channels_backprop_filter(const float *x, const float *dy, float *dw, const dn_conv_params *p) {
  dn_geometry g;
  int32_t *offsets = NULL;
  size_t *origins = NULL;
  if (make_geometry(p, &g, &offsets, &origins)) return -1;
  const size_t out_c = (size_t)p->out_c, size = g.patch * out_c;
  const size_t parts = dn_chunk_count((size_t)p->batch, image_grain(p));
  double *partials = (double *)malloc((size_t)parts * size * sizeof(double));
  if (partials == NULL) {
    free(offsets);
    free(origins);
    return -1;
  }
  dn_channels_job job = {.x = x, .dy = dy, .g = &g, .padded = needs_padding(p), .partials = partials};
  dn_parallel_for((size_t)p->batch, image_grain(p), filter_images, &job);
  /* Summed in chunk order: the same bits whatever the thread count or timing. */
  for (size_t i = 0; i < size; i++) {
    double sum = 0.0;
    for (size_t part = 0; part < parts; part++) sum += partials[part * size + i];
    dw[i] = (float)sum;
  }
  free(partials);
  free(offsets);
  free(origins);
  return job.failed ? -1 : 0;
}
