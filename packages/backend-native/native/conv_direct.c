#include "conv_direct.h"

#include <stdlib.h>
#include <string.h>

#include "hot.h"
#include "parallel.h"

/* Output rows and pixels of one register tile of gemm_rows; pixel blocks are multiples of DN_TILE_J. */
#define DN_TILE_Q 4
#define DN_TILE_J 16

static size_t block_pixels(size_t patch) { return patch <= 64 ? 256 : (patch <= 256 ? 128 : 64); }
static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

/* Output positions t in [0, run) of the row segment starting at ow0 whose input column
 * (ow0 + t) * stride + offset lies inside [0, width): the range [*lo, *hi). */
static void valid_columns(long offset, long stride, long width, size_t ow0, size_t run, size_t *lo, size_t *hi) {
  const long first_ok = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const long last_ok = width - 1 - offset < 0 ? -1 : (width - 1 - offset) / stride;
  long begin = first_ok - (long)ow0, end = last_ok + 1 - (long)ow0;
  if (begin < 0) begin = 0;
  if (end > (long)run) end = (long)run;
  if (end < begin) end = begin;
  if (begin > (long)run) begin = end = (long)run;
  *lo = (size_t)begin;
  *hi = (size_t)end;
}

/* Calls visit(ctx, j, run, b, oh, ow0) for each run of output pixels [first, first + count) that lies
 * on one output row; j is the run's offset inside the block. */
#define DN_FOR_EACH_ROW_RUN(p, first, count, ...)                               \
  do {                                                                             \
    const size_t per_image_ = dn_pixels_out(p), out_w_ = (size_t)(p)->out_w;       \
    size_t j = 0, q_ = (first);                                                    \
    while (j < (count)) {                                                          \
      const size_t b = q_ / per_image_, rem_ = q_ % per_image_;                    \
      const size_t oh = rem_ / out_w_, ow0 = rem_ % out_w_;                        \
      size_t run = out_w_ - ow0;                                                   \
      if (run > (count) - j) run = (count) - j;                                    \
      __VA_ARGS__;                                                                      \
      j += run;                                                                    \
      q_ += run;                                                                   \
    }                                                                              \
  } while (0)

/* d[t] += s[t]; the arrays never overlap (dx and a scratch block). */
static void add_row(float *restrict d, const float *restrict s, size_t n) {
  for (size_t t = 0; t < n; t++) d[t] += s[t];
}

/* The adjoint of an im2col gather: dx[input pixel read by patch entry k of output pixel first + j] += dcolT[k][j],
 * k = (fh * f_w + fw) * in_c + ci. */
static void scatter_patches(const float *dcolT, const dn_conv_params *p, size_t first, size_t count, float *dx,
                            size_t pb) {
  const size_t in_c = (size_t)p->in_c;
  const long stride_w = p->stride_w;
  DN_FOR_EACH_ROW_RUN(p, first, count, {
    float *dx_img = dx + b * dn_image_size(p);
    for (int32_t fh = 0; fh < p->f_h; fh++) {
      const long ih = (long)oh * p->stride_h - p->pad_top + (long)fh * p->dil_h;
      if (ih < 0 || ih >= p->in_h) continue;
      for (int32_t fw = 0; fw < p->f_w; fw++) {
        const long offset = (long)fw * p->dil_w - p->pad_left;
        size_t lo = 0, hi = 0;
        valid_columns(offset, stride_w, p->in_w, ow0, run, &lo, &hi);
        if (hi <= lo) continue;
        const long base = (long)ow0 * stride_w + offset;
        for (size_t ci = 0; ci < in_c; ci++) {
          const float *src = dcolT + (((size_t)fh * p->f_w + fw) * in_c + ci) * pb + j;
          float *d = dx_img + ((size_t)ih * p->in_w) * in_c + ci + (base + (long)lo * stride_w) * (long)in_c;
          const size_t step = (size_t)stride_w * in_c;
          if (step == 1) {
            add_row(d, src + lo, hi - lo);
          } else {
            for (size_t t = lo; t < hi; t++, d += step) *d += src[t];
          }
        }
      }
    }
  });
}

/* Eight floats; GCC lowers arithmetic on it to one AVX2 instruction in the AVX2 clone and to two SSE
 * instructions in the generic one. `aligned(4)` lets it load from any float address. */
typedef float dn_v8 __attribute__((vector_size(32), aligned(4)));

/* out[q * pb + j] = sum_i wp[i * q_stride + q] * a[i * pb + j] for q < n_out, j < pb. wp is zero-padded to
 * q_stride (a multiple of DN_TILE_Q) columns; i runs in order, as in a plain dot product. Register tile:
 * DN_TILE_Q outputs x DN_TILE_J pixels = 8 vector accumulators. */
DN_HOT static void gemm_rows(const float *a, size_t n_in, size_t pb, const float *wp, size_t q_stride, size_t n_out,
                             float *out) {
  /* Pixels outer: the n_in x DN_TILE_J slice of `a` stays in L1 while every output row uses it. */
  for (size_t j0 = 0; j0 < pb; j0 += DN_TILE_J) {
    for (size_t q0 = 0; q0 < n_out; q0 += DN_TILE_Q) {
      dn_v8 acc[DN_TILE_Q][2];
      for (size_t r = 0; r < DN_TILE_Q; r++) acc[r][0] = acc[r][1] = (dn_v8){0};
      const float *ai = a + j0;
      const float *wi = wp + q0;
      for (size_t i = 0; i < n_in; i++, ai += pb, wi += q_stride) {
        const dn_v8 lo = *(const dn_v8 *)ai, hi = *(const dn_v8 *)(ai + 8);
        for (size_t r = 0; r < DN_TILE_Q; r++) {
          const float w = wi[r]; /* scalar * vector: one broadcast */
          acc[r][0] += w * lo;
          acc[r][1] += w * hi;
        }
      }
      const size_t rows = n_out - q0 < DN_TILE_Q ? n_out - q0 : DN_TILE_Q;
      for (size_t r = 0; r < rows; r++) {
        *(dn_v8 *)(out + (q0 + r) * pb + j0) = acc[r][0];
        *(dn_v8 *)(out + (q0 + r) * pb + j0 + 8) = acc[r][1];
      }
    }
  }
}

/* rowsT[o][j] = rows[j][o] for j < count, zero for count <= j < pb. */
static void transpose_block(const float *rows, size_t count, size_t channels, float *rowsT, size_t pb) {
  for (size_t o = 0; o < channels; o++) {
    float *dst = rowsT + o * pb;
    for (size_t j = 0; j < count; j++) dst[j] = rows[j * channels + o];
    for (size_t j = count; j < pb; j++) dst[j] = 0.0f;
  }
}

typedef struct {
  const float *dy;
  float *dx;
  const dn_conv_params *p;
  const float *wp; /* the filter transposed and padded for gemm_rows */
  size_t q_stride, pb;
  volatile int failed;
} dn_conv_job;

static void backprop_input_range(void *ctx, size_t b_begin, size_t b_end, size_t chunk) {
  (void)chunk;
  dn_conv_job *job = (dn_conv_job *)ctx;
  const dn_conv_params *p = job->p;
  const size_t patch = dn_patch_size(p), out_c = (size_t)p->out_c, pb = job->pb;
  memset(job->dx + b_begin * dn_image_size(p), 0, (b_end - b_begin) * dn_image_size(p) * sizeof(float));
  float *dyT = (float *)malloc(out_c * pb * sizeof(float));
  float *dcolT = (float *)malloc(job->q_stride * pb * sizeof(float));
  if (dyT == NULL || dcolT == NULL) {
    job->failed = 1;
  } else {
    const size_t end = b_end * dn_pixels_out(p);
    for (size_t first = b_begin * dn_pixels_out(p); first < end; first += pb) {
      const size_t count = end - first < pb ? end - first : pb;
      transpose_block(job->dy + first * out_c, count, out_c, dyT, pb);
      gemm_rows(dyT, out_c, pb, job->wp, job->q_stride, patch, dcolT);
      scatter_patches(dcolT, p, first, count, job->dx, pb);
    }
  }
  free(dyT);
  free(dcolT);
}

/* Images per thread so that each thread gets at least DN_MACS_PER_THREAD multiply-adds. */
static size_t image_grain(const dn_conv_params *p) {
  const size_t macs = dn_pixels_out(p) * dn_patch_size(p) * (size_t)p->out_c;
  return macs == 0 ? (size_t)p->batch : (DN_MACS_PER_THREAD + macs - 1) / macs;
}

int dn_conv_direct_backprop_input(const float *dy, const float *w, float *dx, const dn_conv_params *p) {
  const size_t patch = dn_patch_size(p), out_c = (size_t)p->out_c;
  const size_t q_stride = round_up(patch, DN_TILE_Q);
  /* gemm_rows reads the filter transposed: wp[o][k] = w[k][o]. */
  float *wp = (float *)calloc(out_c * q_stride, sizeof(float));
  if (wp == NULL) return -1;
  for (size_t k = 0; k < patch; k++) {
    for (size_t o = 0; o < out_c; o++) wp[o * q_stride + k] = w[k * out_c + o];
  }
  dn_conv_job job = {.dy = dy, .dx = dx, .p = p, .wp = wp, .q_stride = q_stride, .pb = block_pixels(patch)};
  dn_parallel_for((size_t)p->batch, image_grain(p), backprop_input_range, &job);
  free(wp);
  return job.failed ? -1 : 0;
}
