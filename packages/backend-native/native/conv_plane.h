/* Single-channel convolutions with horizontal stride 1 (the first layer of MNIST-style nets): the
 * input is one plane, so each filter tap reads a contiguous run of an input row. These kernels
 * vectorise over the output pixels of a row, loading input rows straight from a zero-padded copy of
 * the image (no im2col), and keep a few output channels' accumulators in registers. */
#ifndef DISTILLERY_CONV_PLANE_H
#define DISTILLERY_CONV_PLANE_H

#include "conv_params.h"

/* Measured (LeNet's 5x5 first layers): with 3 output channels 1.7x faster than conv_channels.c, which
 * wastes 5 of its 8 vector lanes there; with 6 or more channels conv_channels.c is faster. */
#define DN_PLANE_MAX_OUT_CHANNELS 4

/* 1 when these kernels handle the shape: one input channel, stride_w 1, 1..4 output channels. */
int dn_conv_plane_supported(const dn_conv_params *p);
/* Each returns 0, or -1 when scratch memory could not be allocated. */
int dn_conv_plane_forward(const float *x, const float *w, float *y, const dn_conv_params *p, const float *bias,
                          size_t bias_len, int activation, float alpha);
int dn_conv_plane_backprop_filter(const float *x, const float *dy, float *dw, const dn_conv_params *p);

#endif
