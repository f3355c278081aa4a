/* DN_HOT marks inner loops worth an AVX2 build: GCC on glibc/x86-64 emits an AVX2 clone beside the
 * generic one and picks it at load time (ifunc), so one build runs on any x86-64; other compilers and
 * platforms get the generic loops. Floating-point contraction stays off (-ffp-contract=off), so the
 * clones round exactly like the generic code. */
#ifndef DISTILLERY_HOT_H
#define DISTILLERY_HOT_H

#include <stdlib.h> /* defines __GLIBC__ on glibc: target_clones needs its ifunc support (musl has none) */

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define DN_HOT __attribute__((target_clones("avx2", "default")))
#else
#define DN_HOT
#endif

#endif
