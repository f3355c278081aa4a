#ifndef DISTILLERY_CONV_H
#define DISTILLERY_CONV_H

#include <node_api.h>

/* NHWC convolutions lowered to im2col/col2im + sgemm. `params` is an Int32Array laid out as
 * dn_conv_params (see conv.c and src/conv-params.ts). */
napi_value dn_conv2d(napi_env env, napi_callback_info info);
napi_value dn_conv2d_backprop_input(napi_env env, napi_callback_info info);
napi_value dn_conv2d_backprop_filter(napi_env env, napi_callback_info info);

#endif
