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

void dn_bias_activation(float *out, size_t rows, size_t cols, const float *bias, size_t bias_len, int activation,
                        float alpha) {
  if (bias == NULL && activation == DN_ACT_LINEAR) return;
  for (size_t r = 0; r < rows; r++) {
    float *row = out + r * cols;
    if (bias != NULL) {
      if (bias_len == 1) {
        const float b = bias[0];
        for (size_t c = 0; c < cols; c++) row[c] += b;
      } else {
        for (size_t c = 0; c < cols; c++) row[c] += bias[c];
      }
    }
    /* Separate loops keep the common relu/linear cases branch-free and vectorisable. */
    if (activation == DN_ACT_RELU) {
      for (size_t c = 0; c < cols; c++) row[c] = row[c] < 0.0f ? 0.0f : row[c];
    } else if (activation != DN_ACT_LINEAR) {
      for (size_t c = 0; c < cols; c++) row[c] = apply(row[c], activation, alpha);
    }
  }
}
