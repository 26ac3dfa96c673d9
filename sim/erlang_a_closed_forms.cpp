// Closed forms of Erlang A (see erlang_a.hpp): the stationary birth-death solution and the exact
// inversion of the offered wait's Beta law.
#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include "erlang_a.hpp"
#include "erlang_a_detail.hpp"

namespace cxsim {

namespace erlang_a_detail {

std::string str(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

void fail(const std::string& what) { throw std::invalid_argument("erlang_a: " + what); }

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

}  // namespace erlang_a_detail

namespace {

using namespace erlang_a_detail;

constexpr double kInf = std::numeric_limits<double>::infinity();

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

using namespace erlang_a_detail;

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

}  // namespace cxsim
