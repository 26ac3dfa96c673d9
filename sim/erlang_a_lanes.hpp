#pragma once
// The inner loop of the Erlang A day (erlang_a.cpp): one uniformization step of the birth-death chain
// over a window of states, in SIMD lanes with Google Highway (runtime dispatch to the best target).
// Lane k computes exactly what the scalar loop computes for state k (the same multiplications and
// additions in the same order, IEEE double, no fused multiply-add: the build is ISO C++, where GCC
// and Clang do not contract), so the results are the same bits on every target and every CPU.

namespace cxsim {

// For k in [lo, hi]: out[k] = stay[k] v[k] + up v[k - 1] + down[k + 1] v[k + 1], acc[k] += weight v[k],
// and, when `end` is not null, end[k] += end_weight v[k]. Index lo - 1 and hi + 1 of v and hi + 1 of
// down must exist; out, acc and end must not overlap v.
void uniformization_step(const double* v, double* out, double* acc, double* end, const double* stay, const double* down,
                         double up, double weight, double end_weight, int lo, int hi);

}  // namespace cxsim
