#pragma once
// Counter-based randomness (Random123 Philox4x32-10, Salmon et al., SC'11). Every draw is a pure
// function of (seed, replication, customer) -- the key -- and (period, stream, index) -- the
// counter -- so results never depend on threads, partitions or the order customers are processed,
// and a variant that changes one mechanism leaves every other draw in place (common random numbers).
//
// One Philox call yields four 32-bit words, the four *lanes* of a block. Each purpose owns a fixed
// (stream, lane) slot, listed below; purposes that are always drawn together share one block.
#include <array>
#include <cstdint>

namespace cxsim {

enum class Stream : std::uint32_t {
  kInit = 0,            // index 0: lane 0 segment, 1 entry touchpoint, 2-3 initial sentiment (normal)
  kFrailty = 1,         // index k: k-th Marsaglia-Tsang attempt: lanes 0-1 normal, 2 accept, 3 boost
  kVisit = 2,           // lane 0 journey edge, 1 failure, 2-3 visit quality (normal)
  kSurvey = 3,          // lane 0 respond?, 1-2 likelihood noise (normal)
  kHazard = 4,          // period 0: lane 0 the Exp(1) cumulative-hazard budget (drawn once, at init)
  kIssue = 5,           // lane 0 self-resolve, 1 contact?, 2 channel choice, 3 interval of the open day
  kService = 6,         // lane 0 state found (queue) or position in the interval (backlog), 1 offered wait,
                        // 2 patience, 3 resolution (in the period of the outcome)
  kContactQuality = 7,  // lanes 0-1 contact quality (normal)
  kIntervention = 8,    // index = 24-bit hash of the id: lane 0 coverage, 1 priority, 2-3 quality (normal)
};

// Four uniforms in the open interval (0, 1), 32-bit resolution: (word + 0.5) / 2^32.
using Uniforms4 = std::array<double, 4>;
using Words4 = std::array<std::uint32_t, 4>;

// The uniforms of a block's four words: CustomerRng::uniforms and the engine's block draws (words
// from rng_simd.hpp's philox_blocks, turned into uniforms in the kernel) use this one formula.
// philox_uniforms computes the same values in lanes another way, tested to give the same bits.
inline double uniform_of(std::uint32_t w) { return (w + 0.5) * (1.0 / 4294967296.0); }
inline Uniforms4 uniforms_of(const Words4& w) {
  return {uniform_of(w[0]), uniform_of(w[1]), uniform_of(w[2]), uniform_of(w[3])};
}

class CustomerRng {
 public:
  CustomerRng(std::uint64_t seed, std::uint32_t replication, std::uint32_t customer)
      : seed_(seed), replication_(replication), customer_(customer) {}

  // The raw block for (period, stream, index); index < 2^24.
  std::array<std::uint32_t, 4> block(std::uint32_t period, Stream stream, std::uint32_t index = 0) const;
  Uniforms4 uniforms(std::uint32_t period, Stream stream, std::uint32_t index = 0) const;

 private:
  std::uint64_t seed_;
  std::uint32_t replication_;
  std::uint32_t customer_;
};

// Standard normal from two uniforms (Box-Muller, cosine branch).
double standard_normal(double u1, double u2);

// Gamma(shape = 1/v, scale = v) frailty (mean 1, variance v) by Marsaglia-Tsang (2000) rejection,
// drawing attempt k from block (0, kFrailty, k); v = 0 gives exactly 1. For shape < 1 it uses
// Gamma(shape + 1) * U^(1/shape).
double gamma_frailty(const CustomerRng& rng, double variance);

}  // namespace cxsim
