// Erlang A carried through the day by uniformization. Method and error bound: erlang_a.hpp. The
// stationary solution and the offered-wait inversion are in erlang_a_closed_forms.cpp.
#include "erlang_a.hpp"

#include "erlang_a_detail.hpp"
#include "erlang_a_lanes.hpp"

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

using namespace erlang_a_detail;

constexpr double kUnitRoundoff = 0x1p-53;
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
        // One uniformization step cur -> nxt = cur P on [new_lo, new_hi] (index -1 exists; cur is 0
        // outside its window), fused with the time and end sums (erlang_a_lanes.hpp).
        uniformization_step(cur, nxt, acc, end, stay, down, up, time_weight, end_weight, new_lo, new_hi);
        extend(end_lo, end_hi, new_lo, new_hi);
      } else {
        uniformization_step(cur, nxt, acc, nullptr, stay, down, up, time_weight, 0.0, new_lo, new_hi);
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
