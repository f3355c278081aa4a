/* Bias-add + activation applied in place to a row-major [rows, cols] block right after a GEMM, while
 * the output is still in cache: saves the separate Add and activation kernels (two full passes). */
#ifndef DISTILLERY_EPILOGUE_H
#define DISTILLERY_EPILOGUE_H

#include <stddef.h>

/* Must match ACTIVATION_CODES in src/addon.ts. */
enum dn_activation {
  DN_ACT_LINEAR = 0,
  DN_ACT_RELU = 1,
  DN_ACT_RELU6 = 2,
  DN_ACT_LEAKYRELU = 3,
  DN_ACT_SIGMOID = 4,
  DN_ACT_ELU = 5,
  DN_ACT_COUNT = 6
};

/* bias may be NULL; bias_len is 1 (scalar) or cols (one value per column). */
void dn_bias_activation(float *out, size_t rows, size_t cols, const float *bias, size_t bias_len, int activation,
                        float alpha);

#endif
