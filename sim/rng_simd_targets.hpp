#pragma once
// The Highway targets cxsim's lane code is compiled for, included before any Highway header by
// sim/rng_simd.cpp and by its test (so that forcing a target in the test reaches the same code). No
// AVX-512 targets: the lane math must give the same bits on every AVX2-and-FMA CPU (rng_simd.hpp).
#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_AVX3 | HWY_AVX3_DL)
#endif
