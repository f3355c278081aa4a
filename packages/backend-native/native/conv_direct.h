/* The input gradient of convolutions with few output channels (LeNet-style nets: 3-16), where sgemm's
 * inner dimension (the output channels) would be tiny: dy is transposed a block of output pixels at a
 * time, multiplied by the filter with small register-tiled loops that vectorise across pixels, and
 * the resulting patch gradients are added back into dx (col2im). Work is split by images over threads. */
#ifndef DISTILLERY_CONV_DIRECT_H
#define DISTILLERY_CONV_DIRECT_H

#include "conv_params.h"

/* Below this many output channels the direct kernels (this file and conv_channels.c) beat im2col + sgemm. */
#define DN_DIRECT_MAX_OUT_CHANNELS 32

/* Returns 0, or -1 when scratch memory could not be allocated. */
int dn_conv_direct_backprop_input(const float *dy, const float *w, float *dx, const dn_conv_params *p);

#endif
