{
  "targets": [
    {
      "target_name": "distillery_native",
      "sources": ["addon.c", "napi_util.c", "gemm.c", "conv.c", "epilogue.c", "elementwise.c", "pool.c", "conv_direct.c", "conv_channels.c", "conv_plane.c", "optimizer.c", "parallel.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": ["-lopenblas", "-lpthread"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra", "-fno-strict-aliasing", "-fno-math-errno", "-ffp-contract=off", "-pthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
