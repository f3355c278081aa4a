/* Small helpers for reading N-API arguments: every exported function validates its inputs here so a
 * wrong call from JS throws a TypeError/RangeError instead of reading or writing out of bounds. */
#ifndef DISTILLERY_NAPI_UTIL_H
#define DISTILLERY_NAPI_UTIL_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#define DN_MAX_ARGS 16

/* Returns NULL from the calling function when an N-API call failed (an exception is then pending). */
#define DN_CALL(env, call)                                                                   \
  do {                                                                                       \
    if ((call) != napi_ok) {                                                                 \
      dn_throw_last_error(env);                                                              \
      return NULL;                                                                           \
    }                                                                                        \
  } while (0)

typedef struct {
  float *data;
  size_t length;
} dn_f32;

void dn_throw_last_error(napi_env env);
/* Each reader returns 0 on success; on failure it has thrown a JS error and returns -1. */
int dn_get_f32(napi_env env, napi_value value, const char *name, dn_f32 *out);
/* Like dn_get_f32 but null/undefined yield {NULL, 0}. */
int dn_get_optional_f32(napi_env env, napi_value value, const char *name, dn_f32 *out);
int dn_get_i64(napi_env env, napi_value value, const char *name, int64_t *out);
int dn_get_double(napi_env env, napi_value value, const char *name, double *out);
int dn_get_bool(napi_env env, napi_value value, const char *name, int *out);
/* Reads `count` integers from a JS Int32Array. */
int dn_get_i32_params(napi_env env, napi_value value, const char *name, int32_t *out, size_t count);
/* Throws a RangeError unless `array` holds at least `needed` elements. */
int dn_require_length(napi_env env, const dn_f32 *array, size_t needed, const char *name);
napi_value dn_undefined(napi_env env);

#endif
