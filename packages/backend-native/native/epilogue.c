#include "epilogue.h"

#include <math.h>

static inline float apply(float x, int activation, float alpha) {
  switch (activation) {
    /* Comparisons are written so NaN passes through, as in tfjs's cpu kernels. */
    case DN_ACT_RELU: return x < 0.0f ? 0.0f : x;
    case DN_ACT_RELU6: return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case DN_ACT_LEAKYRELU: return x < 0.0f ? alpha * x : x;
    case DN_ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case DN_ACT_ELU: return x >= 0.0f ? x : expm1f(x);
    default: return x;
  }
}

/* row[c] = act(row[c] + bias_row[c]) for c < n; bias_row may be NULL (no bias). The arrays never overlap. */
static void apply_run(float *restrict row, size_t n, const float *restrict bias_row, int activation, float alpha) {
  if (bias_row != NULL) {
    for (size_t c = 0; c < n; c++) row[c] += bias_row[c];
  }
  /* Separate loops keep the common relu/linear cases branch-free and vectorisable. */
  if (activation == DN_ACT_RELU) {
    for (size_t c = 0; c < n; c++) row[c] = row[c] < 0.0f ? 0.0f : row[c];
  } else if (activation != DN_ACT_LINEAR) {
    for (size_t c = 0; c < n; c++) row[c] = apply(row[c], activation, alpha);
  }
}

/* Below this many columns, rows are processed in runs of several rows against a repeated bias, so the
 * loops run long enough to vectorise (a convolution with 6 output channels has rows of 6 values). */
#define DN_SHORT_ROW 64

void dn_bias_activation(float *out, size_t rows, size_t cols, const float *bias, size_t bias_len, int activation,
                        float alpha) {
  if (bias == NULL && activation == DN_ACT_LINEAR) return;
  if (bias == NULL) {
    apply_run(out, rows * cols, NULL, activation, alpha);
    return;
  }
  if (bias_len == 1) {
    /* a scalar bias: the same value everywhere */
    const float b = bias[0];
    for (size_t i = 0; i < rows * cols; i++) out[i] += b;
    apply_run(out, rows * cols, NULL, activation, alpha);
    return;
  }
  if (cols >= DN_SHORT_ROW || rows == 1) {
    for (size_t r = 0; r < rows; r++) apply_run(out + r * cols, cols, bias, activation, alpha);
    return;
  }
  /* Short rows: a run of `per_run` whole rows against the bias repeated as many times. */
  const size_t per_run = (DN_SHORT_ROW + cols - 1) / cols;
  float repeated[2 * DN_SHORT_ROW];
  for (size_t i = 0; i < per_run * cols; i++) repeated[i] = bias[i % cols];
  const size_t run = per_run * cols, total = rows * cols;
  size_t start = 0;
  for (; start + run <= total; start += run) apply_run(out + start, run, repeated, activation, alpha);
  if (start < total) apply_run(out + start, total - start, repeated, activation, alpha);
}
