#include "rng.hpp"

#include <Random123/philox.h>

#include <cmath>

#include "diagnostic_sink.hpp"

namespace cxsim {

std::array<std::uint32_t, 4> CustomerRng::block(std::uint32_t period, Stream stream, std::uint32_t index) const {
  // Key: (customer, low seed word). Counter: (period, stream << 24 | index, replication, high
  // seed word). The map from (seed, replication, customer, period, stream, index) to
  // (key, counter) is injective, so distinct draws never share a block.
  r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key = {{customer_, static_cast<std::uint32_t>(seed_)}};
  const r123::Philox4x32::ctr_type ctr = {{period, (static_cast<std::uint32_t>(stream) << 24) | (index & 0xFFFFFFu),
                                           replication_, static_cast<std::uint32_t>(seed_ >> 32)}};
  const auto out = philox(ctr, key);
  return {out[0], out[1], out[2], out[3]};
}

Uniforms4 CustomerRng::uniforms(std::uint32_t period, Stream stream, std::uint32_t index) const {
  return uniforms_of(block(period, stream, index));
}

double standard_normal(double u1, double u2) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

double gamma_frailty(const CustomerRng& rng, double variance) {
  if (variance <= 0.0) return 1.0;
  const double shape = 1.0 / variance;
  const double a = shape < 1.0 ? shape + 1.0 : shape;
  const double d = a - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  // Acceptance probability is above 0.95 for every shape, so 2^24 attempts never run out in practice.
  for (std::uint32_t attempt = 0; attempt < (1u << 24); ++attempt) {
    const Uniforms4 u = rng.uniforms(0, Stream::kFrailty, attempt);
    const double x = standard_normal(u[0], u[1]);
    const double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    const double v3 = v * v * v;
    if (std::log(u[2]) < 0.5 * x * x + d - d * v3 + d * std::log(v3)) {
      double g = d * v3;
      if (shape < 1.0) g *= std::pow(u[3], 1.0 / shape);
      return g * variance;  // scale v
    }
  }
  CXSIM_CHECK(false, "gamma frailty rejection sampler exhausted its attempts");
  return 1.0;
}

}  // namespace cxsim
