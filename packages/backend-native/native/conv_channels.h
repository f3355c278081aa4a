/* NHWC convolutions vectorised over output channels, for layers with up to 32 of them (LeNet-style
 * nets): each patch value is read straight from the input (a zero-padded copy of one image when the
 * convolution pads) and broadcast against a vector of filter weights, so nothing is gathered into an
 * im2col matrix. Work is split by images over threads. */
#ifndef DISTILLERY_CONV_CHANNELS_H
#define DISTILLERY_CONV_CHANNELS_H

#include "conv_params.h"

/* 1 when these kernels handle the shape: 1..32 output channels and a non-empty window and output. */
int dn_conv_channels_supported(const dn_conv_params *p);
/* Each returns 0, or -1 when scratch memory could not be allocated. */
int dn_conv_channels_forward(const float *x, const float *w, float *y, const dn_conv_params *p, const float *bias,
                             size_t bias_len, int activation, float alpha);
int dn_conv_channels_backprop_filter(const float *x, const float *dy, float *dw, const dn_conv_params *p);

#endif
