/* NHWC convolution geometry shared by the sgemm path (conv.c) and the direct path (conv_direct.c). */
#ifndef DISTILLERY_CONV_PARAMS_H
#define DISTILLERY_CONV_PARAMS_H

#include <stddef.h>
#include <stdint.h>

/* Field order must match CONV_PARAM_FIELDS in src/conv-params.ts. The filter is [f_h, f_w, in_c, out_c]. */
typedef struct {
  int32_t batch, in_h, in_w, in_c, out_h, out_w, out_c, f_h, f_w, stride_h, stride_w, dil_h, dil_w, pad_top,
      pad_left;
} dn_conv_params;

#define DN_CONV_PARAM_COUNT 15

static inline size_t dn_image_size(const dn_conv_params *p) { return (size_t)p->in_h * p->in_w * p->in_c; }
static inline size_t dn_pixels_out(const dn_conv_params *p) { return (size_t)p->out_h * p->out_w; }
static inline size_t dn_patch_size(const dn_conv_params *p) { return (size_t)p->f_h * p->f_w * p->in_c; }

#endif
