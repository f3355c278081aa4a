#include "napi_util.h"

#include <stdio.h>

void dn_throw_last_error(napi_env env) {
  const napi_extended_error_info *info = NULL;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  napi_get_last_error_info(env, &info);
  napi_throw_error(env, NULL, info && info->error_message ? info->error_message : "N-API call failed");
}

static int dn_type_error(napi_env env, const char *name, const char *expected) {
  char message[160];
  snprintf(message, sizeof message, "%s must be %s", name, expected);
  napi_throw_type_error(env, NULL, message);
  return -1;
}

int dn_get_f32(napi_env env, napi_value value, const char *name, dn_f32 *out) {
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) {
    return dn_type_error(env, name, "a Float32Array");
  }
  /* N-API hands back `data` already advanced by the view's byteOffset. */
  if (napi_get_typedarray_info(env, value, &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_float32_array) {
    return dn_type_error(env, name, "a Float32Array");
  }
  out->data = (float *)data;
  out->length = length;
  return 0;
}

int dn_get_optional_f32(napi_env env, napi_value value, const char *name, dn_f32 *out) {
  napi_valuetype kind;
  if (napi_typeof(env, value, &kind) != napi_ok) return dn_type_error(env, name, "a Float32Array or null");
  if (kind == napi_null || kind == napi_undefined) {
    out->data = NULL;
    out->length = 0;
    return 0;
  }
  return dn_get_f32(env, value, name, out);
}

int dn_get_i64(napi_env env, napi_value value, const char *name, int64_t *out) {
  double number = 0;
  if (napi_get_value_double(env, value, &number) != napi_ok) return dn_type_error(env, name, "a number");
  if (number < 0 || number != (double)(int64_t)number) return dn_type_error(env, name, "a non-negative integer");
  *out = (int64_t)number;
  return 0;
}

int dn_get_double(napi_env env, napi_value value, const char *name, double *out) {
  if (napi_get_value_double(env, value, out) != napi_ok) return dn_type_error(env, name, "a number");
  return 0;
}

int dn_get_bool(napi_env env, napi_value value, const char *name, int *out) {
  bool flag = false;
  if (napi_get_value_bool(env, value, &flag) != napi_ok) return dn_type_error(env, name, "a boolean");
  *out = flag ? 1 : 0;
  return 0;
}

int dn_get_i32_params(napi_env env, napi_value value, const char *name, int32_t *out, size_t count) {
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_int32_array || length < count) {
    return dn_type_error(env, name, "an Int32Array with enough entries");
  }
  const int32_t *values = (const int32_t *)data;
  for (size_t i = 0; i < count; i++) {
    if (values[i] < 0) return dn_type_error(env, name, "non-negative");
    out[i] = values[i];
  }
  return 0;
}

int dn_require_length(napi_env env, const dn_f32 *array, size_t needed, const char *name) {
  if (array->length < needed) {
    char message[200];
    snprintf(message, sizeof message, "%s holds %zu floats but %zu are needed", name, array->length, needed);
    napi_throw_range_error(env, NULL, message);
    return -1;
  }
  return 0;
}

napi_value dn_undefined(napi_env env) {
  napi_value result = NULL;
  napi_get_undefined(env, &result);
  return result;
}
