// Erlang A carried through the day by uniformization; the Beta inversion of the offered wait; the
// stationary Erlang A solution. Method and error bound: erlang_a.hpp.
#include "erlang_a.hpp"

#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace cxsim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kUnitRoundoff = 0x1p-53;
// Largest state the chain may need (memory: a few buffers of this many doubles).
constexpr double kMaxStates = 1 << 24;
// Stationary distributions are cut where geometric bounds put the remaining mass below this
// share of the total (tails of both sides together stay below 2e-20).
constexpr double kStationaryCut = 1e-20;
// Omitted Poisson weight per interval, for p(L) and for pbar (see erlang_a.hpp, point 2).
constexpr double kPoissonTail = 1e-14;
// Unnormalised Poisson weights are computed out to this fraction of the mode's weight.
constexpr double kPoissonExtent = 1e-40;
// Steady-state shortcut: used when ||v_n - m pi||_1 is below this (or a twentieth of the
// interval's budget, if larger); checked every kSteadyCheckSteps.
constexpr double kSteadyDistance = 1e-12;
constexpr int kSteadyCheckSteps = 64;
// Share of the tolerance given to removed mass (cap and dropped edges); the rest covers Poisson
// truncation, the steady-state shortcut and rounding.
constexpr double kDropShare = 0.4;

std::string str(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("erlang_a: " + what); }

// Death rate d(k) = min(k, c) mu + (k - c)+ theta.
inline double death_rate(int k, int c, double mu, double theta) { return k <= c ? k * mu : c * mu + (k - c) * theta; }

// Stationary Erlang A over a window: fills `out` (cleared first, capacity kept) with pi_k for
// k = first .. first + out.size() - 1, normalised, and returns first. Balance pi_{k+1} d(k+1) =
// pi_k lambda, computed outward from the mode m (the largest k with d(k) <= lambda) with ratios.
// Above the mode the ratios lambda / d(k+1) decrease, so the tail beyond k is at most
// w_k r / (1 - r) with r = lambda / d(k+1); below it the ratios d(k) / lambda decrease as k goes
// down, with the same geometric bound. Both tails are cut below kStationaryCut of the total.
// The mode of the stationary distribution, before rounding (it may be astronomically large when
// theta is tiny and lambda > c mu).
double stationary_mode(double lambda, int c, double mu, double theta) {
  if (lambda <= 0.0) return 0.0;
  return lambda <= c * mu ? std::floor(lambda / mu) : c + std::floor((lambda - c * mu) / theta);
}

int stationary_window(double lambda, int c, double mu, double theta, std::vector<double>& out) {
  out.clear();
  if (lambda <= 0.0) {
    out.push_back(1.0);
    return 0;
  }
  const double mode_real = stationary_mode(lambda, c, mu, theta);
  if (!(mode_real < kMaxStates))
    fail("the stationary queue would hold about " + str(mode_real) + " contacts (more than " + str(kMaxStates) +
         " states): the abandonment rate is too small for this overload");
  int mode = static_cast<int>(mode_real);
  while (death_rate(mode + 1, c, mu, theta) <= lambda) ++mode;
  while (mode > 0 && death_rate(mode, c, mu, theta) > lambda) --mode;

  // Walk down from the mode (weight 1) to find the first state kept and its weight.
  int lo = mode;
  double w = 1.0;
  double total_lower = 1.0;  // a lower bound on the unnormalised total
  while (lo > 0) {
    const double s = death_rate(lo, c, mu, theta) / lambda;  // w_{lo-1} = w_lo s
    if (s < 1.0 && w * s / (1.0 - s) <= kStationaryCut * total_lower) break;
    w *= s;
    total_lower += w;
    --lo;
  }
  // Walk up from there, storing.
  double sum = 0.0;
  int k = lo;
  for (;;) {
    out.push_back(w);
    sum += w;
    const double r = lambda / death_rate(k + 1, c, mu, theta);
    if (k >= mode && r < 1.0 && w * r / (1.0 - r) <= kStationaryCut * sum) break;
    if (!(k + 1 < kMaxStates)) fail("stationary window beyond " + str(kMaxStates) + " states");
    w *= r;
    ++k;
  }
  for (double& p : out) p /= sum;
  return lo;
}

// Poisson(a) weights, computed outward from the mode and normalised (Fox & Glynn 1988): avoids
// exp(-a) underflow and factorials for any a. Fills w[n - first] = P(N = n) and
// tail[n - first] = P(N > n) for n in [first, last]; the weight outside is below kPoissonExtent
// of the mode's.
struct PoissonWindow {
  int first = 0;
  int last = 0;
};

PoissonWindow poisson_window(double a, std::vector<double>& w, std::vector<double>& tail) {
  w.clear();
  tail.clear();
  PoissonWindow pw;
  const double mode_real = std::floor(a);
  if (!(mode_real < 2e9)) fail("uniformization needs about " + str(a) + " steps in one interval");
  const int mode = static_cast<int>(mode_real);
  // Down from the mode: w_{n-1} = w_n n / a.
  int first = mode;
  double x = 1.0;
  while (first > 0) {
    const double next = x * first / a;
    if (next < kPoissonExtent) break;
    x = next;
    --first;
  }
  // Up from `first`, storing.
  double sum = 0.0;
  int n = first;
  for (;;) {
    w.push_back(x);
    sum += x;
    const double next = x * a / (n + 1);
    if (n >= mode && next < kPoissonExtent) break;
    x = next;
    ++n;
  }
  pw.first = first;
  pw.last = n;
  const std::size_t size = w.size();
  tail.resize(size);
  double running = 0.0;
  for (std::size_t j = size; j-- > 0;) {
    w[j] /= sum;
    tail[j] = running;  // sum of the weights above
    running += w[j];
  }
  return pw;
}

// One uniformization step v -> out = v P on states [lo, hi] (pointers offset so that index k is
// state k and index -1 exists), fused with acc += weight * v. v is 0 outside its window.
void step_time_sum(const double* __restrict v, double* __restrict out, double* __restrict acc,
                   const double* __restrict stay, const double* __restrict down, double up, double weight, int lo,
                   int hi) {
  for (int k = lo; k <= hi; ++k) {
    const double vk = v[k];
    out[k] = stay[k] * vk + up * v[k - 1] + down[k + 1] * v[k + 1];
    acc[k] += weight * vk;
  }
}

// The same, also accumulating end += end_weight * v (the last steps, inside the Poisson window).
void step_time_end_sum(const double* __restrict v, double* __restrict out, double* __restrict acc,
                       double* __restrict end, const double* __restrict stay, const double* __restrict down, double up,
                       double weight, double end_weight, int lo, int hi) {
  for (int k = lo; k <= hi; ++k) {
    const double vk = v[k];
    out[k] = stay[k] * vk + up * v[k - 1] + down[k + 1] * v[k + 1];
    acc[k] += weight * vk;
    end[k] += end_weight * vk;
  }
}

// [lo, hi] becomes its union with [from, to] (an empty window has lo > hi).
void extend(int& lo, int& hi, int from, int to) {
  if (lo > hi) {
    lo = from;
    hi = to;
  } else {
    lo = std::min(lo, from);
    hi = std::max(hi, to);
  }
}

void grow(std::vector<double>& buf, std::size_t size) {
  if (buf.size() < size) buf.resize(size, 0.0);
}

void zero(std::vector<double>& buf, int from_state, int to_state) {
  for (int k = from_state; k <= to_state; ++k) buf[static_cast<std::size_t>(k + 1)] = 0.0;
}

// ---- Offered wait: inversion of Y = -log B, B ~ Beta(b, n), n = q + 1 integer ----
//
// For integer n the Beta distribution function is a finite sum (the negative binomial identity
// I_x(b, n) = x^b sum_{j<n} C(b+j-1, j) (1-x)^j), so with z = 1 - e^{-y} and t_j = C(b+j-1, j) z^j:
//   S(y) = P(Y > y) = e^{-b y} sum_{j<n} t_j,      F(y) = P(Y <= y) = e^{-b y} sum_{j>=n} t_j,
//   density f(y) = e^{-b y} z^{n-1} / B(b, n),      f/S = (b+n-1) t_{n-1} / sum_{j<n} t_j,
//   f/F = n / (z sum_{i>=0} t_{n+i} / t_n).
// Y has a log-concave density (a sum of independent exponentials), so log S and log F are concave:
// Newton's method on log S(y) = log(1-u) (or log F(y) = log u in the lower quarter, where 1 - S
// would cancel) converges from any start, monotonically after its first step. The iteration is
// kept inside a bracket as a guard against rounding.

constexpr double kBig = 0x1p900;
constexpr double kLogBig = 900.0 * 0.69314718055994530942;

// log S(y) and the hazard f/S; ratio[j] = (b+j-1)/j for j = 1..n-1.
void log_survival(double b, int n, const double* ratio, double y, double& log_s, double& slope) {
  const double z = -std::expm1(-y);
  double head = 1.0;  // t_0 in the current scale
  double t = 1.0;
  double rest = 0.0;  // sum_{1<=j<n} t_j
  int rescaled = 0;
  for (int j = 1; j < n; ++j) {
    t *= ratio[j] * z;
    rest += t;
    if (t > kBig) {  // keep the terms finite (they reach e^{b y} in the far tail)
      t /= kBig;
      rest /= kBig;
      head /= kBig;
      ++rescaled;
    }
  }
  const double log_sum = rescaled == 0 ? std::log1p(rest) : std::log(head + rest) + rescaled * kLogBig;
  log_s = -b * y + log_sum;
  slope = (b + n - 1) * t / (head + rest);  // -d log S / dy
}

// log F(y) and f/F in the left tail (S(y) > 0.999, where 1 - S would cancel); log_binom =
// log C(b+n-1, n). There F < 1e-3: the negative binomial terms t_j decrease past j = n, so the
// series converges geometrically.
void log_distribution_series(double b, int n, double log_binom, double y, double& log_f, double& slope) {
  const double z = -std::expm1(-y);
  double r = 1.0;
  double series = 1.0;
  for (int i = 0;; ++i) {
    r *= (b + n + i) * z / (n + 1 + i);
    series += r;
    if (r <= 1e-17 * series) break;
    if (i > 1000000) throw std::runtime_error("erlang_a: offered-wait series did not converge");
  }
  log_f = -b * y + n * std::log(z) + log_binom + std::log(series);
  slope = n / (z * series);  // d log F / dy
}

// Standard normal quantile, Abramowitz & Stegun 26.2.23 (absolute error < 4.5e-4): a start only.
double normal_quantile_rough(double p) {
  const double q = p < 0.5 ? p : 1.0 - p;
  const double t = std::sqrt(-2.0 * std::log(q));
  const double x =
      t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  return p < 0.5 ? -x : x;
}

double invert_beta_log(double b, int n, double u) {
  double ratio[kErlangAFastWaitMaxQueue + 1];  // (b+j-1)/j, j = 1..n-1
  double mean = 0.0;
  double variance = 0.0;
  for (int j = 0; j < n; ++j) {
    const double r = 1.0 / (b + j);
    mean += r;
    variance += r * r;
  }
  double log_binom = 0.0;  // log C(b+n-1, n) = log prod_{j=1..n} (b+j-1)/j
  {
    double prod = 1.0;
    for (int j = 1; j <= n; ++j) {
      const double r = (b + j - 1) / j;
      if (j < n) ratio[j] = r;
      prod *= r;
      if (prod > kBig) {
        prod /= kBig;
        log_binom += kLogBig;
      }
    }
    log_binom += std::log(prod);
  }
  // Bracket: F(y) <= C(b+n-1, n) y^n (the density of a sum of exponentials with rates b+m is at
  // most prod (b+m) y^{n-1} / (n-1)!) and S(y) <= e^{-b y} C(b+n-1, n-1) (z <= 1, and
  // sum_{j<n} C(b+j-1, j) = C(b+n-1, n-1)), with C(b+n-1, n-1) = C(b+n-1, n) n / b.
  // Both bounds are tight in their far tails: widened by 1e-6 so rounding cannot exclude the root.
  double lo = std::exp((std::log(u) - log_binom) / n) * (1.0 - 1e-6);
  double hi = (log_binom + std::log(n / b) - std::log1p(-u)) / b * (1.0 + 1e-6);
  // Start: Wilson-Hilferty quantile of the gamma law with Y's mean and variance, kept in the bracket.
  const double shape = mean * mean / variance;
  const double h = 1.0 / (9.0 * shape);
  const double cube = 1.0 - h + normal_quantile_rough(u) * std::sqrt(h);
  double y = mean * cube * cube * cube;
  if (!(y > lo && y < hi)) y = std::sqrt(lo * hi);

  // Upper three quarters: Newton on log S(y) = log(1 - u) in y (log S is concave, near-linear in
  // the right tail). Lower quarter: Newton on log F(y) = log u in x = log y (near-linear in x in
  // the left tail, where F ~ C y^n).
  const bool lower = u < 0.25;
  const double target = lower ? std::log(u) : std::log1p(-u);
  const double log_s_switch = std::log(0.999);
  for (int iter = 0; iter < 100; ++iter) {
    double log_s = 0.0;
    double hazard = 0.0;
    log_survival(b, n, ratio, y, log_s, hazard);
    double next = 0.0;
    if (lower) {
      double log_f = 0.0;
      double slope = 0.0;  // d log F / dy
      if (log_s < log_s_switch) {
        const double f = -std::expm1(log_s);
        log_f = std::log(f);
        slope = hazard * std::exp(log_s) / f;
      } else {
        log_distribution_series(b, n, log_binom, y, log_f, slope);
      }
      const double g = log_f - target;  // increasing in y
      (g > 0.0 ? hi : lo) = y;
      next = y * std::exp(-g / (y * slope));
    } else {
      const double g = log_s - target;  // decreasing in y
      (g > 0.0 ? lo : hi) = y;
      next = y + g / hazard;
    }
    // Quadratic convergence: a Newton step below 1e-9 leaves an error near 1e-18 (relative). The
    // root may sit on a bracket end (the bracket is updated with y itself), so test first.
    if (std::abs(next - y) <= 1e-9 * y) return next;
    if (!(next > lo && next < hi)) next = std::sqrt(lo * hi);
    if (hi - lo <= 1e-15 * hi) return next;
    y = next;
  }
  throw std::runtime_error("erlang_a: offered-wait inversion did not converge (b = " + str(b) +
                           ", q + 1 = " + std::to_string(n) + ", u = " + str(u) + ")");
}

void check_wait_inputs(int servers, int state, double mu, double theta, double u) {
  if (servers < 0 || state < 0) fail("offered wait: servers and state must be >= 0");
  if (!(std::isfinite(mu) && mu > 0.0)) fail("offered wait: service rate must be finite and > 0 (got " + str(mu) + ")");
  if (!(std::isfinite(theta) && theta > 0.0)) {
    fail("offered wait: abandonment rate must be finite and > 0 (got " + str(theta) + ")");
  }
  if (!(u >= 0.0 && u <= 1.0)) fail("offered wait: u must be in [0, 1] (got " + str(u) + ")");
}

}  // namespace

// ---- StateDistribution ----

double StateDistribution::total() const {
  if (probability.empty()) return 1.0;
  double s = 0.0;
  for (double p : probability) s += p;
  return s;
}

double StateDistribution::mean() const {
  double s = 0.0;
  for (std::size_t j = 0; j < probability.size(); ++j) s += probability[j] * (first_state + static_cast<double>(j));
  return s;
}

// ---- Offered wait ----

double erlang_a_offered_wait_minutes(int servers, int state, double service_rate_per_minute,
                                     double abandonment_rate_per_minute, double u) {
  check_wait_inputs(servers, state, service_rate_per_minute, abandonment_rate_per_minute, u);
  if (state < servers) return 0.0;
  if (servers == 0) return kInf;
  if (u <= 0.0) return 0.0;
  if (u >= 1.0) return kInf;
  const int n = state - servers + 1;
  if (n > kErlangAFastWaitMaxQueue) {
    return erlang_a_offered_wait_minutes_boost(servers, state, service_rate_per_minute, abandonment_rate_per_minute, u);
  }
  const double b = servers * service_rate_per_minute / abandonment_rate_per_minute;
  // n = 1: S(y) = e^{-b y} exactly.
  const double y = n == 1 ? -std::log1p(-u) / b : invert_beta_log(b, n, u);
  return y / abandonment_rate_per_minute;
}

double erlang_a_offered_wait_minutes_boost(int servers, int state, double service_rate_per_minute,
                                           double abandonment_rate_per_minute, double u) {
  check_wait_inputs(servers, state, service_rate_per_minute, abandonment_rate_per_minute, u);
  if (state < servers) return 0.0;
  if (servers == 0) return kInf;
  if (u <= 0.0) return 0.0;
  if (u >= 1.0) return kInf;
  const double b = servers * service_rate_per_minute / abandonment_rate_per_minute;
  const double n = state - servers + 1.0;
  // x with P(B > x) = u, and 1 - x without cancellation.
  double one_minus_x = 0.0;
  const double x = boost::math::ibetac_inv(b, n, u, &one_minus_x);
  return (x < 0.5 ? -std::log(x) : -std::log1p(-one_minus_x)) / abandonment_rate_per_minute;
}

// ---- Stationary Erlang A ----

ErlangAStationary erlang_a_stationary(double arrivals_per_minute, int servers, double service_rate_per_minute,
                                      double abandonment_rate_per_minute) {
  if (!(std::isfinite(arrivals_per_minute) && arrivals_per_minute >= 0.0))
    fail("stationary: arrivals_per_minute must be finite and >= 0 (got " + str(arrivals_per_minute) + ")");
  if (servers < 0) fail("stationary: servers must be >= 0 (got " + std::to_string(servers) + ")");
  if (!(std::isfinite(service_rate_per_minute) && service_rate_per_minute > 0.0))
    fail("stationary: service rate must be finite and > 0 (got " + str(service_rate_per_minute) + ")");
  if (!(std::isfinite(abandonment_rate_per_minute) && abandonment_rate_per_minute > 0.0))
    fail("stationary: abandonment rate theta must be finite and > 0 (got " + str(abandonment_rate_per_minute) + ")");
  ErlangAStationary s;
  s.arrivals_per_minute = arrivals_per_minute;
  s.servers = servers;
  s.service_rate_per_minute = service_rate_per_minute;
  s.abandonment_rate_per_minute = abandonment_rate_per_minute;
  const double mu = service_rate_per_minute;
  const double theta = abandonment_rate_per_minute;
  s.distribution.first_state = stationary_window(arrivals_per_minute, servers, mu, theta, s.distribution.probability);
  const double b = servers * mu / theta;
  double answered_wait = 0.0;  // sum pi_k E[V; answered | q]
  double harmonic = 0.0;       // sum_{m=0..q} 1 / (b + m + 1)
  int q_done = -1;
  for (std::size_t j = 0; j < s.distribution.probability.size(); ++j) {
    const int k = s.distribution.first_state + static_cast<int>(j);
    const double p = s.distribution.probability[j];
    s.mean_busy_servers += p * std::min(k, servers);
    if (k < servers) continue;
    const int q = k - servers;
    s.mean_queue_length += p * q;
    s.p_wait += p;
    // An arrival abandons iff its Exp(theta) patience P < V: P(P < V) = 1 - E[e^{-theta V}] =
    // 1 - b / (b + q + 1), E[e^{-theta V}] being the mean of B ~ Beta(b, q+1).
    s.p_abandon += p * (q + 1.0) / (b + q + 1.0);
    // E[V e^{-theta V}] = -d/ds prod_m r_m / (r_m + s) at s = theta, r_m = theta (b + m):
    // (b / (b+q+1)) (1/theta) sum_{m=0..q} 1 / (b + m + 1).
    while (q_done < q) {
      ++q_done;
      harmonic += 1.0 / (b + q_done + 1.0);
    }
    if (servers > 0) answered_wait += p * b / (b + q + 1.0) * harmonic / theta;
  }
  const double p_answered = 1.0 - s.p_abandon;
  s.mean_answered_wait_minutes = p_answered > 0.0 ? answered_wait / p_answered : std::nan("");
  return s;
}

double ErlangAStationary::p_answered_within(double wait_minutes) const {
  if (!(wait_minutes >= 0.0)) fail("stationary: wait_minutes must be >= 0");
  if (servers == 0) return 0.0;
  const double b = servers * service_rate_per_minute / abandonment_rate_per_minute;
  const double x = std::exp(-abandonment_rate_per_minute * wait_minutes);
  double p = 0.0;
  for (std::size_t j = 0; j < distribution.probability.size(); ++j) {
    const int k = distribution.first_state + static_cast<int>(j);
    const double pk = distribution.probability[j];
    if (k < servers) {
      p += pk;
      continue;
    }
    const int q = k - servers;
    // E[B; B >= x] for B = e^{-theta V} ~ Beta(b, q+1): b/(b+q+1) P(Beta(b+1, q+1) >= x).
    p += pk * b / (b + q + 1.0) * boost::math::ibetac(b + 1.0, q + 1.0, x);
  }
  return p;
}

// ---- The day ----

ErlangADay::ErlangADay(double tolerance) : tolerance_(tolerance) {
  if (!(tolerance > 0.0 && tolerance <= 1e-3)) fail("tolerance must be in (0, 1e-3] (got " + str(tolerance) + ")");
}

const ErlangADay::IntervalResult& ErlangADay::at(int interval) const {
  if (interval < 0 || interval >= interval_count()) {
    throw std::out_of_range("erlang_a: interval " + std::to_string(interval) + " out of range [0, " +
                            std::to_string(interval_count()) + ")");
  }
  return intervals_[static_cast<std::size_t>(interval)];
}

double ErlangADay::occupancy(int interval) const {
  const IntervalResult& r = at(interval);
  return r.input.servers > 0 ? r.mean_busy_servers / r.input.servers : 0.0;
}

int ErlangADay::state_found(int interval, double u) const {
  const IntervalResult& r = at(interval);
  if (!(u >= 0.0 && u <= 1.0)) fail("state_found: u must be in [0, 1] (got " + str(u) + ")");
  const double* begin = cdf_.data() + r.offset;
  const double* end = begin + r.size;
  // First state whose running sum exceeds u; the dropped mass (at most the error bound) goes to the top.
  const double* it = std::upper_bound(begin, end - 1, u);
  return r.first_state + static_cast<int>(it - begin);
}

double ErlangADay::offered_wait_minutes(int interval, int state, double u) const {
  return erlang_a_offered_wait_minutes(at(interval).input.servers, state, mu_, theta_, u);
}

StateDistribution ErlangADay::time_average(int interval) const {
  const IntervalResult& r = at(interval);
  StateDistribution d;
  d.first_state = r.first_state;
  const auto first = probability_.begin() + static_cast<std::ptrdiff_t>(r.offset);
  d.probability.assign(first, first + static_cast<std::ptrdiff_t>(r.size));
  return d;
}

void ErlangADay::solve(const std::vector<ErlangAInterval>& intervals, double service_rate_per_minute,
                       double abandonment_rate_per_minute, const StateDistribution& initial, bool detect_steady_state) {
  if (intervals.empty()) fail("the interval list is empty (a day needs at least one interval)");
  if (!(std::isfinite(service_rate_per_minute) && service_rate_per_minute > 0.0))
    fail("service rate (1 / aht) must be finite and > 0 (got " + str(service_rate_per_minute) + ")");
  if (!(std::isfinite(abandonment_rate_per_minute) && abandonment_rate_per_minute > 0.0))
    fail("abandonment rate theta (1 / mean patience) must be finite and > 0 (got " + str(abandonment_rate_per_minute) +
         ")");
  double estimated_work = 0.0;
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    const ErlangAInterval& in = intervals[i];
    const auto where = [i] { return "interval " + std::to_string(i) + ": "; };
    if (!(std::isfinite(in.arrivals_per_minute) && in.arrivals_per_minute >= 0.0))
      fail(where() + "arrivals_per_minute must be finite and >= 0 (got " + str(in.arrivals_per_minute) + ")");
    if (in.servers < 0) fail(where() + "servers must be >= 0 (got " + std::to_string(in.servers) + ")");
    if (!(std::isfinite(in.length_minutes) && in.length_minutes > 0.0))
      fail(where() + "length_minutes must be finite and > 0 (got " + str(in.length_minutes) + ")");
    estimated_work += (in.arrivals_per_minute + in.servers * service_rate_per_minute + abandonment_rate_per_minute) *
                          in.length_minutes +
                      1.0;
  }
  if (initial.first_state < 0)
    fail("initial distribution: first_state must be >= 0 (got " + std::to_string(initial.first_state) + ")");
  if (!(initial.first_state + static_cast<double>(initial.probability.size()) < kMaxStates))
    fail("initial distribution: more than " + str(kMaxStates) + " states");
  double initial_total = 0.0;
  for (double p : initial.probability) {
    if (!(std::isfinite(p) && p >= 0.0)) fail("initial distribution: probabilities must be finite and >= 0");
    initial_total += p;
  }
  if (!(initial.probability.empty() || (initial_total > 0.0 && initial_total <= 1.0 + 1e-9)))
    fail("initial distribution: total probability must be in (0, 1] (got " + str(initial_total) + ")");

  mu_ = service_rate_per_minute;
  theta_ = abandonment_rate_per_minute;
  stats_ = ErlangAStats{};
  // Every work buffer starts at 0 (cheap: O(largest cap seen), and robust after an exception).
  for (std::vector<double>* buf : {&v_, &v_next_, &time_sum_, &end_sum_}) std::fill(buf->begin(), buf->end(), 0.0);
  intervals_.clear();
  probability_.clear();
  cdf_.clear();

  // Load the start into the current buffer; every work buffer is 0 outside its window.
  int lo = 0;
  int hi = 0;
  if (initial.probability.empty()) {
    grow(v_, 3);
    v_[1] = 1.0;
  } else {
    lo = initial.first_state;
    hi = lo + static_cast<int>(initial.probability.size()) - 1;
    grow(v_, static_cast<std::size_t>(hi) + 3);
    for (int k = lo; k <= hi; ++k)
      v_[static_cast<std::size_t>(k + 1)] = initial.probability[static_cast<std::size_t>(k - lo)];
    while (hi > lo && v_[static_cast<std::size_t>(hi + 1)] == 0.0) --hi;
    while (lo < hi && v_[static_cast<std::size_t>(lo + 1)] == 0.0) ++lo;
  }
  window_lo_ = lo;
  window_hi_ = hi;

  double carried_error = 0.0;
  double unused_budget = 0.0;
  const double drop_budget = kDropShare * tolerance_;
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    const ErlangAInterval& in = intervals[i];
    const double work = (in.arrivals_per_minute + in.servers * mu_ + theta_) * in.length_minutes + 1.0;
    IntervalResult r;
    r.input = in;
    intervals_.push_back(r);
    run_interval(i, unused_budget + drop_budget * work / estimated_work, detect_steady_state, carried_error,
                 unused_budget);
  }

  // The end distribution.
  end_.first_state = window_lo_;
  end_.probability.assign(v_.begin() + window_lo_ + 1, v_.begin() + window_hi_ + 2);
  end_error_bound_ = carried_error;
  // Leave the buffer clean for the next solve.
  zero(v_, window_lo_, window_hi_);
}

void ErlangADay::run_interval(std::size_t index, double budget, bool detect_steady_state, double& carried_error,
                              double& unused_budget) {
  IntervalResult& result = intervals_[index];
  const double lambda = result.input.arrivals_per_minute;
  const int c = result.input.servers;
  const double length = result.input.length_minutes;
  const double mu = mu_;
  const double theta = theta_;
  int lo = window_lo_;
  int hi = window_hi_;

  // Cap H (Lambda_i is the exit rate of H, so a low cap means fewer steps). Birth-death chains are
  // stochastically monotone: started below pi they stay below it, P_t(k >= H) <= pi(k >= H), and
  // the mass the cap kills over the interval is at most lambda L pi(k >= H). So H is the first
  // state with pi(k >= H) <= a quarter of the interval's budget / (lambda L + 1), or the start's
  // top + 1 if higher (started above pi, the chain drifts down; its window edges already hold only
  // droppable mass), plus 2. The cap's loss is counted; if the interval removes more than its
  // budget, it is redone with a higher cap, at worst H_arrivals: the start's top plus a far
  // Poisson(lambda L) quantile of the arrivals, which the state cannot pass.
  const double arrivals_mean = lambda * length;
  const double arrivals_room = lambda > 0.0 ? arrivals_mean + 12.0 * std::sqrt(arrivals_mean) + 40.0 : 0.0;
  if (!(hi + arrivals_room < kMaxStates))
    fail("interval " + std::to_string(index) + ": more than " + str(kMaxStates) + " states would be needed");
  const int cap_arrivals = hi + static_cast<int>(std::ceil(arrivals_room));
  // The interval's stationary distribution, for the cap and the steady-state shortcut; not needed
  // (and maybe huge) when its mode lies beyond cap_arrivals, which the chain cannot pass.
  const bool use_stationary = stationary_mode(lambda, c, mu, theta) <= cap_arrivals;
  int pi_first = 0;
  int pi_last = -1;
  if (use_stationary) {
    pi_first = stationary_window(lambda, c, mu, theta, stationary_);
    pi_last = pi_first + static_cast<int>(stationary_.size()) - 1;
  }
  int cap = cap_arrivals;
  if (lambda > 0.0 && use_stationary) {
    const double kill_share = 0.25 * budget / (arrivals_mean + 1.0);
    double upper = 0.0;  // pi(k >= H)
    int pi_cap = pi_first;
    for (int k = pi_last; k >= pi_first; --k) {
      upper += stationary_[static_cast<std::size_t>(k - pi_first)];
      if (upper > kill_share) {
        pi_cap = k + 1;
        break;
      }
    }
    cap = std::min(cap_arrivals, std::max(hi + 1, pi_cap) + 2);
  }
  // Save the start (for a restart) and its window.
  const int start_lo = lo;
  const int start_hi = hi;
  grow(start_, static_cast<std::size_t>(start_hi) + 3);
  std::copy(v_.begin() + start_lo + 1, v_.begin() + start_hi + 2, start_.begin() + start_lo + 1);

  for (int attempt = 0;; ++attempt) {
    const double rate = lambda + death_rate(cap, c, mu, theta);  // Lambda: the largest exit rate in [0, cap]
    const std::size_t size = static_cast<std::size_t>(cap) + 3;
    grow(v_, size);
    grow(v_next_, size);
    grow(time_sum_, size);
    grow(end_sum_, size);
    grow(stay_, size);
    grow(down_, size);
    stats_.max_cap_state = std::max(stats_.max_cap_state, cap);

    double dropped = 0.0;  // mass removed: cap loss and dropped edges
    double poisson_error = 0.0;
    double steady_error = 0.0;
    int sum_lo = lo, sum_hi = hi;      // window of time_sum_
    int end_lo = lo, end_hi = lo - 1;  // window of end_sum_ (empty)
    double allowance = 0.0;
    std::int64_t steps = 0;
    bool restart = false;

    if (rate <= 0.0) {
      // lambda = 0 and the chain sits at 0: nothing moves.
      for (int k = lo; k <= hi; ++k) {
        time_sum_[static_cast<std::size_t>(k + 1)] = v_[static_cast<std::size_t>(k + 1)];
        end_sum_[static_cast<std::size_t>(k + 1)] = v_[static_cast<std::size_t>(k + 1)];
      }
      end_lo = lo;
      end_hi = hi;
      sum_lo = lo;
      sum_hi = hi;
      // Normalising divisor below is 1.
    }
    const double a = rate * length;

    PoissonWindow pw;
    int left = 0;   // P(N > n) is taken as 1 below `left`
    int right = 0;  // last term
    if (rate > 0.0) {
      for (int k = 0; k <= cap + 1; ++k) {
        const double d = death_rate(k, c, mu, theta);
        stay_[static_cast<std::size_t>(k + 1)] = std::max(0.0, 1.0 - (lambda + d) / rate);
        down_[static_cast<std::size_t>(k + 1)] = k <= cap ? d / rate : 0.0;
      }
      pw = poisson_window(a, poisson_, poisson_tail_);
      // right: the first n >= mode where both omitted parts are below kPoissonTail.
      // tail_sum(n) = sum_{j > n} P(N > j) (the omitted part of pbar, times a).
      const int count = pw.last - pw.first + 1;
      double tail_sum = 0.0;
      right = pw.last;
      for (int j = count - 1; j >= 0; --j) {
        const int n = pw.first + j;
        if (poisson_tail_[static_cast<std::size_t>(j)] > kPoissonTail || tail_sum > kPoissonTail * a) break;
        right = n;
        tail_sum += poisson_tail_[static_cast<std::size_t>(j)];
      }
      // left: the last n with P(N < n) <= kPoissonTail.
      double below = 0.0;
      left = pw.first;
      for (int j = 0; j < count; ++j) {
        if (below + poisson_[static_cast<std::size_t>(j)] > kPoissonTail) break;
        below += poisson_[static_cast<std::size_t>(j)];
        left = pw.first + j + 1;
      }
      // Omitted: for pbar sum_{n > right} P(N > n) / a plus sum_{n < left} P(N <= n) / a <=
      // P(N < left); for p(L) the weights outside [left, right]. The weights beyond the computed
      // Poisson window are below 1e-40 of the mode's and add nothing visible.
      double tail_after_right = 0.0;
      for (int n = right + 1; n <= pw.last; ++n)
        tail_after_right += poisson_tail_[static_cast<std::size_t>(n - pw.first)];
      left = std::min(left, right);
      poisson_error =
          std::max(tail_after_right / a + below, poisson_tail_[static_cast<std::size_t>(right - pw.first)] + below) +
          1e-30;
    }

    const double step_budget = budget / (right + 1.0);
    // The trimmed chain lacks pi's tail beyond its window (mass near the trimming level), so the
    // shortcut threshold scales with the interval's budget; its error, 2 (distance + drift), then
    // stays near a tenth of the budget.
    const double steady_threshold = std::max(kSteadyDistance, 0.05 * budget);
    const double up = rate > 0.0 ? lambda / rate : 0.0;
    double* cur = v_.data() + 1;
    double* nxt = v_next_.data() + 1;
    double* acc = time_sum_.data() + 1;
    double* end = end_sum_.data() + 1;
    const double* stay = stay_.data() + 1;
    const double* down = down_.data() + 1;
    int nxt_lo = lo, nxt_hi = lo - 1;  // dirty window of the next buffer

    for (int n = 0; rate > 0.0 && n <= right; ++n) {
      // Steady state: v_n within kSteadyDistance of m pi (m = the mass v_n still has; the removed
      // mass is counted already), pi restricted to the states below the cap; the rest of the sum
      // in closed form.
      if (detect_steady_state && use_stationary && n > 0 && n % kSteadyCheckSteps == 0) {
        const int pi_top = std::min(pi_last, cap);
        double mass = 0.0;
        for (int k = lo; k <= hi; ++k) mass += cur[k];
        double distance = 0.0;
        for (int k = pi_top + 1; k <= pi_last; ++k)
          distance += mass * stationary_[static_cast<std::size_t>(k - pi_first)];
        for (int k = std::min(lo, pi_first); k <= std::max(hi, pi_top); ++k) {
          const double pk =
              (k >= pi_first && k <= pi_top) ? mass * stationary_[static_cast<std::size_t>(k - pi_first)] : 0.0;
          distance += std::abs(cur[k] - pk);
        }
        if (distance <= steady_threshold) {
          // Remaining weights: sum_{j=n..right} P(N > j) (1 below `left`) and sum_{j>=max(n,left)} P(N = j).
          double time_weight = n < left ? static_cast<double>(left - n) : 0.0;
          double end_weight = 0.0;
          for (int j = std::max(n, left); j <= right; ++j) {
            time_weight += poisson_tail_[static_cast<std::size_t>(j - pw.first)];
            end_weight += poisson_[static_cast<std::size_t>(j - pw.first)];
          }
          for (int k = pi_first; k <= pi_top; ++k) {
            const double pk = mass * stationary_[static_cast<std::size_t>(k - pi_first)];
            acc[k] += time_weight * pk;
            end[k] += end_weight * pk;
          }
          extend(sum_lo, sum_hi, pi_first, pi_top);
          extend(end_lo, end_hi, pi_first, pi_top);
          // ||pi P - pi||_1 <= 2 (pi_first d(pi_first) + pi_top lambda) / Lambda: inside the window
          // pi is in detailed balance, so only the flux out of it (or killed at the cap) moves
          // mass; see erlang_a.hpp point 3.
          const double drift = 2.0 * mass *
                               (stationary_.front() * death_rate(pi_first, c, mu, theta) +
                                stationary_[static_cast<std::size_t>(pi_top - pi_first)] * lambda) /
                               rate;
          steady_error = 2.0 * (distance + (right - n) * drift) + 4e-20;
          ++stats_.steady_state_intervals;
          break;
        }
      }

      const double time_weight = n < left ? 1.0 : poisson_tail_[static_cast<std::size_t>(n - pw.first)];
      if (n == right) {
        // Last term: accumulate only.
        const double end_weight = poisson_[static_cast<std::size_t>(n - pw.first)];
        for (int k = lo; k <= hi; ++k) {
          acc[k] += time_weight * cur[k];
          end[k] += end_weight * cur[k];
        }
        extend(end_lo, end_hi, lo, hi);
        break;
      }
      const int new_lo = std::max(lo - 1, 0);
      const int new_hi = std::min(hi + 1, cap);
      if (n >= left) {
        const double end_weight = poisson_[static_cast<std::size_t>(n - pw.first)];
        step_time_end_sum(cur, nxt, acc, end, stay, down, up, time_weight, end_weight, new_lo, new_hi);
        extend(end_lo, end_hi, new_lo, new_hi);
      } else {
        step_time_sum(cur, nxt, acc, stay, down, up, time_weight, new_lo, new_hi);
      }
      ++steps;
      stats_.state_updates += new_hi - new_lo + 1;
      sum_lo = std::min(sum_lo, new_lo);
      sum_hi = std::max(sum_hi, new_hi);
      stats_.max_window_states = std::max(stats_.max_window_states, new_hi - new_lo + 1);
      // Stale entries of the next buffer outside the new window.
      for (int k = nxt_lo; k < new_lo; ++k) nxt[k] = 0.0;
      for (int k = std::max(new_hi + 1, nxt_lo); k <= nxt_hi; ++k) nxt[k] = 0.0;

      allowance += step_budget;
      if (hi == cap) {  // the flux up out of the cap is lost
        const double loss = up * cur[cap];
        dropped += loss;
        allowance -= loss;
        if (dropped > budget && cap < cap_arrivals) {
          restart = true;
          nxt_lo = new_lo;  // everything outside [new_lo, new_hi] of the next buffer is 0
          nxt_hi = new_hi;
          break;
        }
      }
      // Drop edge states whose mass fits the allowance (all removed mass is counted in `dropped`).
      int keep_lo = new_lo;
      int keep_hi = new_hi;
      while (keep_hi > keep_lo && nxt[keep_hi] <= allowance) {
        allowance -= nxt[keep_hi];
        dropped += nxt[keep_hi];
        nxt[keep_hi] = 0.0;
        --keep_hi;
      }
      while (keep_lo < keep_hi && nxt[keep_lo] <= allowance) {
        allowance -= nxt[keep_lo];
        dropped += nxt[keep_lo];
        nxt[keep_lo] = 0.0;
        ++keep_lo;
      }
      std::swap(cur, nxt);
      nxt_lo = lo;
      nxt_hi = hi;
      lo = keep_lo;
      hi = keep_hi;
    }
    // `cur` may point into either buffer; make v_ the current one.
    if (cur != v_.data() + 1) std::swap(v_, v_next_);
    zero(v_next_, nxt_lo, nxt_hi);
    stats_.steps += steps;

    if (restart) {
      ++stats_.restarts;
      zero(v_, lo, hi);
      zero(time_sum_, sum_lo, sum_hi);
      zero(end_sum_, end_lo, end_hi);
      lo = start_lo;
      hi = start_hi;
      std::copy(start_.begin() + start_lo + 1, start_.begin() + start_hi + 2, v_.begin() + start_lo + 1);
      cap = std::min(cap_arrivals, cap + std::max(8, (cap - start_lo) / 4));
      continue;
    }

    // pbar = time_sum / a (time_sum / 1 when nothing moves).
    const double divisor = rate > 0.0 ? a : 1.0;
    while (sum_hi > sum_lo && time_sum_[static_cast<std::size_t>(sum_hi + 1)] == 0.0) --sum_hi;
    while (sum_lo < sum_hi && time_sum_[static_cast<std::size_t>(sum_lo + 1)] == 0.0) ++sum_lo;
    result.first_state = sum_lo;
    result.offset = probability_.size();
    result.size = static_cast<std::size_t>(sum_hi - sum_lo + 1);
    double running = 0.0;
    double busy = 0.0;
    double queue = 0.0;
    for (int k = sum_lo; k <= sum_hi; ++k) {
      const double p = time_sum_[static_cast<std::size_t>(k + 1)] / divisor;
      probability_.push_back(p);
      running += p;
      cdf_.push_back(running);
      busy += p * std::min(k, c);
      if (k > c) queue += p * (k - c);
    }
    zero(time_sum_, sum_lo, sum_hi);
    result.mean_busy_servers = busy;
    result.mean_queue_length = queue;

    // The end distribution becomes the current vector.
    zero(v_, lo, hi);
    std::swap(v_, end_sum_);
    while (end_hi > end_lo && v_[static_cast<std::size_t>(end_hi + 1)] == 0.0) --end_hi;
    while (end_lo < end_hi && v_[static_cast<std::size_t>(end_lo + 1)] == 0.0) ++end_lo;
    window_lo_ = end_lo;
    window_hi_ = end_hi;

    // Error: carried + removed + Poisson truncation + shortcut + rounding (5u per step for the
    // vector, u per step for the running sums).
    const double rounding = 8.0 * kUnitRoundoff * (static_cast<double>(steps) + 1.0);
    carried_error += dropped + poisson_error + steady_error + rounding;
    result.error_bound = carried_error;
    unused_budget = std::max(0.0, allowance);
    return;
  }
}

}  // namespace cxsim
