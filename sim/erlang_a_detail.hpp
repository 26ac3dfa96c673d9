#pragma once
// Pieces of the Erlang A module shared by its two sources: erlang_a.cpp (the chain through the day)
// and erlang_a_closed_forms.cpp (the stationary solution and the offered-wait inversion).
#include <string>
#include <vector>

namespace cxsim::erlang_a_detail {

// Largest state the chain may need (memory: a few buffers of this many doubles).
constexpr double kMaxStates = 1 << 24;
// Stationary distributions are cut where geometric bounds put the remaining mass below this
// share of the total (tails of both sides together stay below 2e-20).
constexpr double kStationaryCut = 1e-20;

// Shortest round-trip text of a number, for messages.
std::string str(double x);

// Throws std::invalid_argument("erlang_a: " + what).
[[noreturn]] void fail(const std::string& what);

// Death rate d(k) = min(k, c) mu + (k - c)+ theta.
inline double death_rate(int k, int c, double mu, double theta) { return k <= c ? k * mu : c * mu + (k - c) * theta; }

// The mode of the stationary distribution, before rounding (it may be astronomically large when
// theta is tiny and lambda > c mu).
double stationary_mode(double lambda, int c, double mu, double theta);

// Stationary Erlang A over a window: fills `out` (cleared first, capacity kept) with pi_k for
// k = first .. first + out.size() - 1, normalised, and returns first. Balance pi_{k+1} d(k+1) =
// pi_k lambda, computed outward from the mode m (the largest k with d(k) <= lambda) with ratios.
// Above the mode the ratios lambda / d(k+1) decrease, so the tail beyond k is at most
// w_k r / (1 - r) with r = lambda / d(k+1); below it the ratios d(k) / lambda decrease as k goes
// down, with the same geometric bound. Both tails are cut below kStationaryCut of the total.
int stationary_window(double lambda, int c, double mu, double theta, std::vector<double>& out);

}  // namespace cxsim::erlang_a_detail
