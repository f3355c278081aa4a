#include "conv_plane.h"

#include <stdlib.h>
#include <string.h>

#include "epilogue.h"
#include "hot.h"
#include "parallel.h"

typedef float dn_v8 __attribute__((vector_size(32), aligned(4)));

/* Output channels per forward tile: DN_PLANE_TILE_O x DN_PLANE_VECTORS accumulators = 12 registers. */
#define DN_PLANE_TILE_O 3
/* An output row is processed as up to this many vectors of 8 pixels; wider rows are split. */
#define DN_PLANE_VECTORS 4
#define DN_PLANE_SPAN (8 * DN_PLANE_VECTORS)

/* Padded single-channel image: rows of `cols` floats, with zero columns to the right so that a row
 * segment of DN_PLANE_SPAN floats starting at any window column can be loaded whole. */
typedef struct {
  const dn_conv_params *p;
  size_t rows, cols;
} dn_plane;

static dn_plane plane_of(const dn_conv_params *p) {
  dn_plane g = {p, 0, 0};
  g.rows = (size_t)((long)(p->out_h - 1) * p->stride_h + (long)(p->f_h - 1) * p->dil_h + 1);
  /* the last row segment starts at most at (out_w - 1) rounded down to a span, plus the widest tap */
  const size_t last_start = (size_t)(p->out_w - 1) / DN_PLANE_SPAN * DN_PLANE_SPAN;
  const size_t cols = last_start + (size_t)(p->f_w - 1) * p->dil_w + DN_PLANE_SPAN;
  g.cols = cols > (size_t)p->in_w + (size_t)p->pad_left ? cols : (size_t)p->in_w + (size_t)p->pad_left;
  return g;
}

/* dst[r][c] = x[r - pad_top][c - pad_left], zero outside the image. */
static void pad_plane(const float *x, const dn_plane *g, float *dst) {
  const dn_conv_params *p = g->p;
  memset(dst, 0, g->rows * g->cols * sizeof(float));
  for (int32_t ih = 0; ih < p->in_h; ih++) {
    const size_t r = (size_t)ih + (size_t)p->pad_top;
    if (r >= g->rows) break;
    memcpy(dst + r * g->cols + (size_t)p->pad_left, x + (size_t)ih * p->in_w, (size_t)p->in_w * sizeof(float));
  }
}

/* One output row segment [ow0, ow0 + span) of output channels [o0, o0 + TILE_O):
 * acc[o][v] = sum_{fh, fw} w[fh][fw][o] * plane[oh * stride_h + fh * dil_h][ow0 + 8v + fw * dil_w + lane]. */
DN_HOT static void forward_segment(const float *plane, const dn_plane *g, const float *wt, size_t oh, size_t ow0,
                                   size_t o0, dn_v8 acc[DN_PLANE_TILE_O][DN_PLANE_VECTORS]) {
  const dn_conv_params *p = g->p;
  for (size_t o = 0; o < DN_PLANE_TILE_O; o++)
    for (size_t v = 0; v < DN_PLANE_VECTORS; v++) acc[o][v] = (dn_v8){0};
  const size_t out_c_padded = ((size_t)p->out_c + DN_PLANE_TILE_O - 1) / DN_PLANE_TILE_O * DN_PLANE_TILE_O;
  for (int32_t fh = 0; fh < p->f_h; fh++) {
    const float *row = plane + (oh * (size_t)p->stride_h + (size_t)fh * p->dil_h) * g->cols + ow0;
    for (int32_t fw = 0; fw < p->f_w; fw++) {
      const float *seg = row + (size_t)fw * p->dil_w;
      const float *wk = wt + ((size_t)fh * p->f_w + fw) * out_c_padded + o0;
      dn_v8 xv[DN_PLANE_VECTORS];
      for (size_t v = 0; v < DN_PLANE_VECTORS; v++) xv[v] = *(const dn_v8 *)(seg + 8 * v);
      for (size_t o = 0; o < DN_PLANE_TILE_O; o++) {
        const float w = wk[o];
        for (size_t v = 0; v < DN_PLANE_VECTORS; v++) acc[o][v] += w * xv[v];
      }
    }
  }
}

typedef struct {
  const float *x, *dy, *wt, *bias;
  float *y;
  const dn_plane *g;
  size_t bias_len;
  int activation;
  float alpha;
  double *partials;
  volatile int failed;
} dn_plane_job;

static void forward_images(void *ctx, size_t b_begin, size_t b_end, size_t chunk) {
  (void)chunk;
  dn_plane_job *job = (dn_plane_job *)ctx;
  const dn_plane *g = job->g;
  const dn_conv_params *p = g->p;
  const size_t out_c = (size_t)p->out_c, out_w = (size_t)p->out_w, pixels = dn_pixels_out(p);
  float *plane = (float *)malloc(g->rows * g->cols * sizeof(float));
  if (plane == NULL) {
    job->failed = 1;
    return;
  }
  dn_v8 acc[DN_PLANE_TILE_O][DN_PLANE_VECTORS];
  for (size_t b = b_begin; b < b_end; b++) {
    pad_plane(job->x + b * dn_image_size(p), g, plane);
    float *y = job->y + b * pixels * out_c;
    for (size_t oh = 0; oh < (size_t)p->out_h; oh++) {
      for (size_t ow0 = 0; ow0 < out_w; ow0 += DN_PLANE_SPAN) {
        const size_t span = out_w - ow0 < DN_PLANE_SPAN ? out_w - ow0 : DN_PLANE_SPAN;
        for (size_t o0 = 0; o0 < out_c; o0 += DN_PLANE_TILE_O) {
          forward_segment(plane, g, job->wt, oh, ow0, o0, acc);
          const size_t outs = out_c - o0 < DN_PLANE_TILE_O ? out_c - o0 : DN_PLANE_TILE_O;
          float *dst = y + (oh * out_w + ow0) * out_c + o0;
          for (size_t t = 0; t < span; t++) {
            for (size_t o = 0; o < outs; o++) dst[t * out_c + o] = acc[o][t >> 3][t & 7];
          }
        }
      }
    }
    dn_bias_activation(y, pixels, out_c, job->bias, job->bias_len, job->activation, job->alpha);
  }
  free(plane);
}

/* dw[fh][fw][o] over one image: sum_{oh, ow} plane[oh * stride_h + fh * dil_h][ow + fw * dil_w] * dyT[o][oh][ow],
 * with dyT rows padded with zeros to whole vectors. Accumulated per tap in 8 lanes, summed at the end. */
DN_HOT static void filter_image(const float *plane, const dn_plane *g, const float *dyT, size_t row_stride,
                                double *dw) {
  const dn_conv_params *p = g->p;
  const size_t out_c = (size_t)p->out_c, vectors = row_stride / 8;
  for (size_t o = 0; o < out_c; o++) {
    const float *dplane = dyT + o * (size_t)p->out_h * row_stride;
    for (int32_t fh = 0; fh < p->f_h; fh++) {
      for (int32_t fw0 = 0; fw0 < p->f_w; fw0 += 4) {
        const int32_t taps = p->f_w - fw0 < 4 ? p->f_w - fw0 : 4;
        dn_v8 acc[4] = {{0}, {0}, {0}, {0}};
        for (size_t oh = 0; oh < (size_t)p->out_h; oh++) {
          const float *row = plane + (oh * (size_t)p->stride_h + (size_t)fh * p->dil_h) * g->cols;
          const float *d = dplane + oh * row_stride;
          for (size_t v = 0; v < vectors; v++) {
            const dn_v8 dv = *(const dn_v8 *)(d + 8 * v);
            for (int32_t t = 0; t < 4; t++) {
              /* taps past f_w read in-bounds padding and are discarded */
              const dn_v8 xv = *(const dn_v8 *)(row + 8 * v + (size_t)(fw0 + (t < taps ? t : 0)) * p->dil_w);
              acc[t] += xv * dv;
            }
          }
        }
        for (int32_t t = 0; t < taps; t++) {
          double sum = 0.0;
          for (size_t lane = 0; lane < 8; lane++) sum += acc[t][lane];
          dw[(((size_t)fh * p->f_w) + (size_t)(fw0 + t)) * out_c + o] += sum;
        }
      }
    }
  }
}

static void filter_images(void *ctx, size_t b_begin, size_t b_end, size_t chunk) {
  dn_plane_job *job = (dn_plane_job *)ctx;
  const dn_plane *g = job->g;
  const dn_conv_params *p = g->p;
  const size_t out_c = (size_t)p->out_c, out_w = (size_t)p->out_w, out_h = (size_t)p->out_h;
  const size_t row_stride = (out_w + 7) / 8 * 8, taps = dn_patch_size(p) * out_c;
  double *partial = job->partials + chunk * taps;
  memset(partial, 0, taps * sizeof(double));
  float *plane = (float *)malloc(g->rows * g->cols * sizeof(float));
  float *dyT = (float *)calloc(out_c * out_h * row_stride, sizeof(float));
  if (plane == NULL || dyT == NULL) {
    job->failed = 1;
  } else {
    for (size_t b = b_begin; b < b_end; b++) {
      pad_plane(job->x + b * dn_image_size(p), g, plane);
      const float *dy = job->dy + b * out_h * out_w * out_c;
      for (size_t oh = 0; oh < out_h; oh++) {
        for (size_t ow = 0; ow < out_w; ow++) {
          for (size_t o = 0; o < out_c; o++) dyT[(o * out_h + oh) * row_stride + ow] = dy[(oh * out_w + ow) * out_c + o];
        }
      }
      filter_image(plane, g, dyT, row_stride, partial);
    }
  }
  free(plane);
  free(dyT);
}

int dn_conv_plane_supported(const dn_conv_params *p) {
  return p->in_c == 1 && p->stride_w == 1 && p->out_c >= 1 && p->out_c <= DN_PLANE_MAX_OUT_CHANNELS &&
         p->out_h > 0 && p->out_w > 0 && p->f_h > 0 && p->f_w > 0;
}

static size_t image_grain(const dn_conv_params *p) {
  const size_t macs = dn_pixels_out(p) * dn_patch_size(p) * (size_t)p->out_c;
  return macs == 0 ? (size_t)p->batch : (DN_MACS_PER_THREAD + macs - 1) / macs;
}

int dn_conv_plane_forward(const float *x, const float *w, float *y, const dn_conv_params *p, const float *bias,
                          size_t bias_len, int activation, float alpha) {
  const dn_plane g = plane_of(p);
  const size_t taps = (size_t)p->f_h * p->f_w, out_c = (size_t)p->out_c;
  const size_t padded = (out_c + DN_PLANE_TILE_O - 1) / DN_PLANE_TILE_O * DN_PLANE_TILE_O;
  float *wt = (float *)calloc(taps * padded, sizeof(float));
  if (wt == NULL) return -1;
  for (size_t k = 0; k < taps; k++) memcpy(wt + k * padded, w + k * out_c, out_c * sizeof(float));
  dn_plane_job job = {.x = x, .wt = wt, .bias = bias, .y = y, .g = &g, .bias_len = bias_len,
                      .activation = activation, .alpha = alpha};
  dn_parallel_for((size_t)p->batch, image_grain(p), forward_images, &job);
  free(wt);
  return job.failed ? -1 : 0;
}

int dn_conv_plane_backprop_filter(const float *x, const float *dy, float *dw, const dn_conv_params *p) {
  const dn_plane g = plane_of(p);
  const size_t taps = dn_patch_size(p) * (size_t)p->out_c;
  const size_t parts = dn_chunk_count((size_t)p->batch, image_grain(p));
  double *partials = (double *)malloc((size_t)parts * taps * sizeof(double));
  if (partials == NULL) return -1;
  dn_plane_job job = {.x = x, .dy = dy, .g = &g, .partials = partials};
  dn_parallel_for((size_t)p->batch, image_grain(p), filter_images, &job);
  /* Summed in chunk order: the same bits whatever the thread count or timing. */
  for (size_t i = 0; i < taps; i++) {
    double sum = 0.0;
    for (size_t part = 0; part < parts; part++) sum += partials[part * taps + i];
    dw[i] = (float)sum;
  }
  free(partials);
  return job.failed ? -1 : 0;
}
