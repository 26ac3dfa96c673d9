#pragma once
// Erlang A (M/M/c+M) carried through an open day: the per-period, per-channel birth-death chain of
// ../shared/MODEL.md "Service", "Queue channels: Erlang A carried through the day" (version 2).
//
// Chain. State k = contacts in the system. In interval i (length L_i minutes, arrival rate
// lambda_i, c_i servers): k -> k+1 at rate lambda_i, k -> k-1 at rate d_i(k) = min(k, c_i) mu +
// (k - c_i)+ theta, with mu = 1 / aht and theta = 1 / mean patience. The distribution at the end
// of interval i is the start of interval i+1 (a peak's queue spills over).
//
// Method: uniformization (randomization; Jensen 1953, Grassmann 1977, Gross & Miller 1984). With
// Lambda_i >= every exit rate in use and P = I + Q / Lambda_i (a stochastic matrix, tridiagonal
// here, so v P costs O(window)), and N ~ Poisson(a = Lambda_i L_i):
//     p(L)  = sum_n P(N = n) v_n,                   v_0 = p(0), v_{n+1} = v_n P,
//     pbar  = (1/L) int_0^L p(t) dt = (1/a) sum_n P(N > n) v_n.
// The Poisson weights are computed outward from the mode and normalised (Fox & Glynn 1988), so
// they are stable for any a. The iteration keeps a window [lo, hi] of states; outside it every
// v_n is exactly 0. Cost: about a_i steps of O(window) per interval, window ~ 16 standard
// deviations of the state.
//
// Cap. Lambda_i is the exit rate of a cap state H_i, above which the chain is killed. Birth-death
// chains are stochastically monotone, so started below the interval's stationary law pi_i the
// chain stays below it and the cap kills at most lambda_i L_i pi_i(k >= H_i); H_i is the smallest
// state that makes this a quarter of the interval's budget (or the start's top + 1 if higher),
// plus 2. If the interval still removes more than its budget, it is redone with a higher cap, at
// worst the start's top plus a far quantile of the interval's Poisson arrivals.
//
// Error bound (L1, "total probability"), reported per interval by error_bound(i):
//  1. Removed mass. The killing at the cap, and the edge states of the window dropped when their
//     mass fits a running allowance, only remove mass from a chain whose transition matrix is
//     nonnegative: the computed v_n is componentwise <= the exact one and its L1 error is the mass
//     removed, which is counted exactly. The allowance is spread over the day's steps so that the
//     removed mass stays below 0.4 x the tolerance (default 1e-9).
//  2. Poisson truncation: the sums run over n <= R with the omitted weight below 1e-14 for p(L)
//     and for pbar (sum_{n > R} P(N > n) / a), and the first weights taken as P(N > n) = 1
//     (error <= P(N < left point) <= 1e-14).
//  3. Steady state. Every 64 steps v_n (mass m) is compared with m pi_i (pi_i cut at the cap). Once
//     ||v_n - m pi_i||_1 = d is below max(1e-12, budget / 20), m pi_i replaces every later v_j in
//     closed form: P is an L1 contraction and pi_i moves under it only by the flux out of its
//     window, so ||v_j - m pi_i||_1 <= d + (j - n) delta, and the continuation's unmeasured cap
//     loss is bounded the same way; 2 (d + R delta) is added.
//  4. Rounding: each step forms nonnegative sums of three products with coefficients rounded
//     once, so it moves at most 5u (u = 2^-53) of mass, and the running sums add u per step;
//     8u per step is added. This sets a floor near 1e-16 x (steps in the day), so tolerances
//     below ~1e-11 are not met on busy days (error_bound() says so).
// Errors carry from one interval to the next without growing (the transition operators are
// L1 contractions), so error_bound(i) includes all earlier intervals' terms; the error of a given
// initial distribution is the caller's and is not counted. Observed errors against an independent
// dense matrix exponential are about half the bound (tests/test_erlang_a.cpp).
//
// Offered wait (MODEL.md): a contact that finds k >= c servers busy has q = k - c waiting ahead and
// V = sum_{m=0..q} E_m / (c mu + m theta), E_m ~ Exp(1). With b = c mu / theta,
// exp(-theta V) = prod_m U_m^{1/(b+m)} and U^{1/(b+m)} ~ Beta(b+m, 1); by the beta-product identity
// (X ~ Beta(a, b), Y ~ Beta(a+b, g) independent => XY ~ Beta(a, b+g)) the product is exactly
// B ~ Beta(b, q+1), so V = -log(B) / theta. B is drawn by inverting its distribution function with
// one uniform, oriented so that a larger u gives a longer wait: P(V > v) = 1 - u (a monotone
// coupling). For integer q + 1 that distribution function is a finite sum (the negative binomial
// identity), and y = theta V solves it by safeguarded Newton iteration (log-concave, so about three
// O(q) evaluations; relative error near 1e-15); q >= 256 goes to Boost.Math's ibetac_inv.
//
// Independent of the rest of cxsim (no scenario, model or engine types): the engine wires it in.
#include <cstdint>
#include <vector>

namespace cxsim {

// One interval of the open day.
struct ErlangAInterval {
  double arrivals_per_minute = 0.0;  // lambda_i >= 0
  int servers = 0;                   // c_i >= 0 (agents on duty x concurrency); 0 = closed
  double length_minutes = 30.0;      // L_i > 0
};

// A distribution over states first_state, first_state + 1, ...; an empty one means "the chain
// starts empty" (state 0 with probability 1).
struct StateDistribution {
  int first_state = 0;
  std::vector<double> probability;

  double total() const;
  double mean() const;
};

// Work done by the last solve(), for tests and benchmarks.
struct ErlangAStats {
  std::int64_t steps = 0;          // uniformization steps (matrix-vector products) over the day
  std::int64_t state_updates = 0;  // sum over the steps of the window width (the work)
  int max_window_states = 0;       // widest window [lo, hi] iterated
  int max_cap_state = 0;           // largest cap H_i (uniformization rate Lambda_i = exit rate of H_i)
  int restarts = 0;                // intervals redone with the rigorous cap
  int steady_state_intervals = 0;  // intervals closed by the steady-state shortcut
};

// The chain through one day, with every buffer kept for the next solve (no allocation once the
// buffers have grown to the largest day seen).
class ErlangADay {
 public:
  // tolerance: L1 accuracy wanted for every pbar_i and the end distribution, in (0, 1e-3].
  explicit ErlangADay(double tolerance = 1e-9);

  // Runs the chain through `intervals` from `initial` (empty: the chain starts empty).
  // service_rate_per_minute = 1 / aht > 0, abandonment_rate_per_minute = theta = 1 / mean
  // patience > 0. `detect_steady_state` = false turns the shortcut off (tests). Throws
  // std::invalid_argument on an empty interval list, non-finite or negative rates, theta <= 0,
  // negative servers, non-positive lengths, or an invalid initial distribution.
  void solve(const std::vector<ErlangAInterval>& intervals, double service_rate_per_minute,
             double abandonment_rate_per_minute, const StateDistribution& initial = StateDistribution{},
             bool detect_steady_state = true);

  int interval_count() const { return static_cast<int>(intervals_.size()); }
  const ErlangAInterval& interval(int i) const { return intervals_.at(static_cast<std::size_t>(i)).input; }

  // The state k an arriving contact of interval i finds, from one uniform u in [0, 1): inverse
  // CDF of pbar_i (k is nondecreasing in u). Mass the truncation dropped goes to the top state.
  int state_found(int interval, double u) const;

  // Offered wait in minutes of a contact of interval i that finds `state` contacts in the system:
  // 0 if state < c_i, +infinity if c_i = 0, else V = -log(B) / theta with B ~ Beta(c_i mu / theta,
  // state - c_i + 1) from the uniform u (larger u, longer wait).
  double offered_wait_minutes(int interval, int state, double u) const;

  // Time averages over interval i: E[min(k, c_i)] busy servers, E[(k - c_i)+] waiting contacts.
  double mean_busy_servers(int interval) const { return at(interval).mean_busy_servers; }
  double mean_queue_length(int interval) const { return at(interval).mean_queue_length; }
  // Occupancy = busy / on-duty servers (0 when c_i = 0).
  double occupancy(int interval) const;

  // pbar_i itself (a copy; for tests and reports).
  StateDistribution time_average(int interval) const;
  // Distribution at the end of the day (carry into the next period for 24-hour channels).
  const StateDistribution& end_distribution() const { return end_; }

  // L1 error bounds (see the header comment) of pbar_i and of the end distribution.
  double error_bound(int interval) const { return at(interval).error_bound; }
  double end_error_bound() const { return end_error_bound_; }

  const ErlangAStats& stats() const { return stats_; }
  double service_rate_per_minute() const { return mu_; }
  double abandonment_rate_per_minute() const { return theta_; }

 private:
  struct IntervalResult {
    ErlangAInterval input;
    int first_state = 0;
    std::size_t offset = 0;  // into probability_ and cdf_
    std::size_t size = 0;
    double mean_busy_servers = 0.0;
    double mean_queue_length = 0.0;
    double error_bound = 0.0;
  };
  const IntervalResult& at(int interval) const;
  void run_interval(std::size_t i, double budget, bool detect_steady_state, double& carried_error,
                    double& unused_budget);

  double tolerance_;
  double mu_ = 0.0;
  double theta_ = 0.0;
  std::vector<IntervalResult> intervals_;
  std::vector<double> probability_;  // pbar_i, concatenated
  std::vector<double> cdf_;          // running sums of pbar_i, concatenated
  StateDistribution end_;
  double end_error_bound_ = 0.0;
  ErlangAStats stats_;
  int window_lo_ = 0;  // window of v_ between intervals
  int window_hi_ = 0;

  // Work buffers, indexed by state + 1 (index 0 is state -1, always 0).
  std::vector<double> v_, v_next_, start_, time_sum_, end_sum_, stay_, down_, stationary_;
  std::vector<double> poisson_, poisson_tail_;
};

// Offered wait V in minutes for a contact finding `state` contacts with `servers` on duty (see
// ErlangADay::offered_wait_minutes): exact inversion of the Beta(b, q+1) law of exp(-theta V)
// with b = servers mu / theta, q = state - servers. u in [0, 1]; u = 0 gives 0, u = 1 +infinity.
double erlang_a_offered_wait_minutes(int servers, int state, double service_rate_per_minute,
                                     double abandonment_rate_per_minute, double u);

// The same through Boost.Math's ibetac_inv (slower; the reference the fast inversion is tested
// against, and the path taken for q >= kErlangAFastWaitMaxQueue).
double erlang_a_offered_wait_minutes_boost(int servers, int state, double service_rate_per_minute,
                                           double abandonment_rate_per_minute, double u);
constexpr int kErlangAFastWaitMaxQueue = 256;

// Stationary Erlang A, exact from the birth-death balance pi_{k+1} d(k+1) = pi_k lambda, computed
// outward from the mode with ratios (no factorials, fine for thousands of servers) and cut where
// geometric bounds put the remaining mass below 1e-17. For tests, docs and the steady-state
// shortcut. Every contact's patience is Exp(theta).
struct ErlangAStationary {
  double arrivals_per_minute = 0.0;
  int servers = 0;
  double service_rate_per_minute = 0.0;
  double abandonment_rate_per_minute = 0.0;
  StateDistribution distribution;
  double p_wait = 0.0;                      // P(k >= c): an arrival has to queue
  double p_abandon = 0.0;                   // sum_{k>=c} pi_k (q+1) theta / (c mu + (q+1) theta)
  double mean_answered_wait_minutes = 0.0;  // E[V | answered]
  double mean_busy_servers = 0.0;           // E[min(k, c)]
  double mean_queue_length = 0.0;           // E[(k - c)+]

  // P(answered and V <= wait_minutes) (the service level counts abandoned contacts as missed):
  // sum_{k<c} pi_k + sum_{k>=c} pi_k b/(b+q+1) (1 - I_{exp(-theta s)}(b+1, q+1)).
  double p_answered_within(double wait_minutes) const;
};

ErlangAStationary erlang_a_stationary(double arrivals_per_minute, int servers, double service_rate_per_minute,
                                      double abandonment_rate_per_minute);

}  // namespace cxsim
