// `cxsim optimize`: a derivative-free search (NLopt) on the grid of the decision variables under
// common random numbers, a compass check of the best point's grid neighbourhood, and the
// confirmation and screening of the best candidates (see cxsim/optimize.hpp for the methods).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <nlopt.hpp>
#include <optional>
#include <random>

#include "cxsim/compare.hpp"
#include "cxsim/optimize.hpp"
#include "diagnostic_sink.hpp"
#include "explore_points.hpp"
#include "nlopt_names.hpp"
#include "optimize_detail.hpp"

namespace cxsim {

namespace {

using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// What an undefined objective or constraint value counts as in the optimiser (minimised, scaled).
constexpr double kUndefinedValue = 1e10;
// Weight of the summed relative constraint violations added to the scaled objective by the methods
// without constraints of their own (BOBYQA, Nelder-Mead): an exact (L1) penalty, large enough that
// a 10% violation outweighs any plausible objective gain of the scaled objective.
constexpr double kPenaltyWeight = 10.0;

// The value a constraint is judged on: the mean, or the interval's end nearer the bound.
double judged(const Summary& s, bool on_interval, bool upper) {
  if (!on_interval) return s.mean;
  if (!s.ci95) return kNaN;
  return upper ? s.ci95->second : s.ci95->first;
}

// The next grid point in row-major order (the last variable fastest); false after the last.
bool next_grid_index(std::vector<std::size_t>& index, const OptimizeSpec& spec) {
  for (std::size_t i = index.size(); i-- > 0;) {
    if (++index[i] < spec.variables[i].values.size()) return true;
    index[i] = 0;
  }
  return false;
}

// A constraint's bounds as g <= 0 terms, each relative to its bound's magnitude (1 for a bound of 0).
struct Bound {
  std::size_t constraint;
  bool upper;  // a max (value - max <= 0) or a min (min - value <= 0)
};

class Search {
 public:
  Search(const OptimizePlan& plan, const ExploreOptions& options)
      : plan_(plan), spec_(plan.spec), options_(options), builder_(spec_.base, nullptr), runner_(options) {
    for (std::size_t c = 0; c < spec_.constraints.size(); ++c) {
      if (spec_.constraints[c].min) bounds_.push_back({c, false});
      if (spec_.constraints[c].max) bounds_.push_back({c, true});
    }
    for (std::size_t i = 0; i < spec_.variables.size(); ++i) {
      if (spec_.variables[i].values.size() >= 2) active_.push_back(i);
    }
    const Scenario& s = plan.base_scenario;
    const double per_replication = static_cast<double>(s.population.customers) * s.horizon_periods;
    runner_.plan_work(per_replication * (spec_.evaluations * spec_.search_replications +
                                         spec_.candidates * (spec_.confirm_replications - spec_.search_replications)));
  }

  Optimization run();

 private:
  // The evaluation of a grid point (cached); nullptr once `limit_` distinct points were evaluated.
  const Evaluation* evaluate(const std::vector<std::size_t>& index, const char* phase);
  void judge(const RunResult& result, Summary& objective, std::vector<ConstraintValue>& values, bool& feasible,
             double& violation) const;
  bool better(const Evaluation& a, const Evaluation& b) const;
  std::size_t best_evaluation() const;
  std::vector<std::size_t> grid_index(const double* x) const;
  double scaled_objective(const Evaluation& e) const;
  double bound_value(const Evaluation& e, const Bound& b) const;

  void grid_search();
  std::string local_search(const std::vector<std::size_t>& start, SearchMethod method);
  std::string optimizer_search(const std::vector<std::size_t>& start, SearchMethod method);
  std::string neighbourhood_search();
  std::optional<std::vector<std::size_t>> farthest_point() const;
  void confirm(Optimization& out);

  friend const Evaluation* optimizer_point(Search*, const double*);
  friend double nlopt_objective(unsigned, const double*, double*, void*);
  friend double nlopt_bound(unsigned, const double*, double*, void*);

  const OptimizePlan& plan_;
  const OptimizeSpec& spec_;
  ExploreOptions options_;
  PointBuilder builder_;
  PointRunner runner_;
  std::vector<Bound> bounds_;
  std::vector<std::size_t> active_;  // variables with more than one value
  std::vector<Evaluation> evaluations_;
  std::vector<Scenario> scenarios_;  // per evaluation, for the confirmation
  std::map<std::vector<std::size_t>, std::size_t> seen_;
  std::size_t limit_ = 0;
  double objective_scale_ = 1.0;
  // NLopt calls these from C; they record a failure here, stop the optimiser, and it is rethrown.
  nlopt::opt* opt_ = nullptr;
  std::exception_ptr error_;
  bool budget_spent_ = false;
  std::vector<std::pair<Search*, std::size_t>> bound_data_;
};

const Evaluation* Search::evaluate(const std::vector<std::size_t>& index, const char* phase) {
  if (const auto it = seen_.find(index); it != seen_.end()) return &evaluations_[it->second];
  if (evaluations_.size() >= limit_) return nullptr;
  std::vector<Diagnostic> errors;
  PointWording wording;
  wording.context = fmt::format("{}: the point {}", spec_.file, describe_values(spec_, index));
  wording.label = [&](Diagnostic d, const PointChange&) {
    d.message = fmt::format("{}: {}", wording.context, d.message);
    return d;
  };
  std::vector<PointChange> changes = point_changes(spec_, builder_.effective(), index);
  auto point = builder_.build(changes, wording, &errors, nullptr);
  if (!point) throw InputError(std::move(errors));  // a combination the checks of the ends did not cover
  Evaluation e;
  e.index = index;
  e.changes = std::move(changes);
  e.phase = phase;
  e.result = metrics_only(*runner_.run(point->scenario));
  judge(e.result, e.objective, e.constraints, e.feasible, e.violation);
  seen_.emplace(index, evaluations_.size());
  evaluations_.push_back(std::move(e));
  scenarios_.push_back(std::move(point->scenario));
  return &evaluations_.back();
}

void Search::judge(const RunResult& result, Summary& objective, std::vector<ConstraintValue>& values, bool& feasible,
                   double& violation) const {
  objective = summarize(replicates_of(result, spec_.objective.metric));
  values.clear();
  feasible = std::isfinite(objective.mean);
  violation = 0.0;
  for (const Constraint& c : spec_.constraints) {
    std::vector<double> sum(result.replications.size(), 0.0);
    for (const std::string& m : c.metrics) {
      const std::vector<double> x = replicates_of(result, m);
      for (std::size_t r = 0; r < sum.size(); ++r) sum[r] += x[r];
    }
    ConstraintValue v{summarize(sum), true};
    for (const bool upper : {false, true}) {
      const std::optional<double>& bound = upper ? c.max : c.min;
      if (!bound) continue;
      const double x = judged(v.value, spec_.judge_on_interval, upper);
      const double excess = upper ? x - *bound : *bound - x;
      const double scale = *bound != 0.0 ? std::fabs(*bound) : 1.0;
      if (!std::isfinite(x)) {
        v.satisfied = false;
        violation += kUndefinedValue;
      } else if (excess > 0.0) {
        v.satisfied = false;
        violation += excess / scale;
      }
    }
    feasible = feasible && v.satisfied;
    values.push_back(v);
  }
}

bool Search::better(const Evaluation& a, const Evaluation& b) const {
  if (a.feasible != b.feasible) return a.feasible;
  if (!a.feasible) return a.violation < b.violation;
  const bool maximize = spec_.objective.direction == Direction::kMaximize;
  return maximize ? a.objective.mean > b.objective.mean : a.objective.mean < b.objective.mean;
}

std::size_t Search::best_evaluation() const {
  std::size_t best = 0;
  for (std::size_t k = 1; k < evaluations_.size(); ++k) {
    if (better(evaluations_[k], evaluations_[best])) best = k;
  }
  return best;
}

std::vector<std::size_t> Search::grid_index(const double* x) const {
  std::vector<std::size_t> index(spec_.variables.size());
  for (std::size_t i = 0; i < index.size(); ++i) index[i] = spec_.variables[i].start;
  for (std::size_t j = 0; j < active_.size(); ++j) {
    const double last = static_cast<double>(spec_.variables[active_[j]].values.size() - 1);
    index[active_[j]] = static_cast<std::size_t>(std::lround(std::clamp(x[j], 0.0, 1.0) * last));
  }
  return index;
}

// The objective as NLopt minimises it: sign-adjusted and divided by the start's magnitude.
double Search::scaled_objective(const Evaluation& e) const {
  if (!std::isfinite(e.objective.mean)) return kUndefinedValue;
  const double sign = spec_.objective.direction == Direction::kMaximize ? -1.0 : 1.0;
  return sign * e.objective.mean / objective_scale_;
}

double Search::bound_value(const Evaluation& e, const Bound& b) const {
  const Constraint& c = spec_.constraints[b.constraint];
  const double bound = b.upper ? *c.max : *c.min;
  const double x = judged(e.constraints[b.constraint].value, spec_.judge_on_interval, b.upper);
  if (!std::isfinite(x)) return kUndefinedValue;
  return (b.upper ? x - bound : bound - x) / (bound != 0.0 ? std::fabs(bound) : 1.0);
}

// The evaluation the optimiser asks for at `x`; nullptr when the optimiser must stop (the budget is
// spent, or an error, kept in error_ and rethrown once NLopt has returned: NLopt's C callbacks may
// not throw).
const Evaluation* optimizer_point(Search* s, const double* x) {
  try {
    const Evaluation* e = s->evaluate(s->grid_index(x), "optimizer");
    if (e == nullptr) {
      s->budget_spent_ = true;
      s->opt_->force_stop();
    }
    return e;
  } catch (...) {  // Interrupted or InputError: not silent, rethrown by optimizer_search
    s->error_ = std::current_exception();
    s->opt_->force_stop();
    return nullptr;
  }
}

double nlopt_objective(unsigned, const double* x, double*, void* data) {
  auto* s = static_cast<Search*>(data);
  const Evaluation* e = optimizer_point(s, x);
  if (e == nullptr) return HUGE_VAL;
  const double value = s->scaled_objective(*e);
  return s->opt_->get_algorithm() == nlopt::LN_COBYLA ? value : value + kPenaltyWeight * e->violation;
}

double nlopt_bound(unsigned, const double* x, double*, void* data) {
  auto* d = static_cast<std::pair<Search*, std::size_t>*>(data);
  const Evaluation* e = optimizer_point(d->first, x);
  return e == nullptr ? HUGE_VAL : d->first->bound_value(*e, d->first->bounds_[d->second]);
}

void Search::grid_search() {
  std::vector<std::size_t> index(spec_.variables.size(), 0);
  do {
    if (evaluate(index, "grid") == nullptr) return;  // the budget is spent
  } while (next_grid_index(index, spec_));
}

std::string Search::optimizer_search(const std::vector<std::size_t>& start, SearchMethod method) {
  const std::size_t n = active_.size();
  if (n == 0) return "no variable has more than one value";
  const nlopt::algorithm algorithm = method == SearchMethod::kBobyqa       ? nlopt::LN_BOBYQA
                                     : method == SearchMethod::kNelderMead ? nlopt::LN_NELDERMEAD
                                                                           : nlopt::LN_COBYLA;
  nlopt::opt opt(algorithm, static_cast<unsigned>(n));
  opt_ = &opt;
  std::vector<double> x(n), step(n), xtol(n);
  for (std::size_t j = 0; j < n; ++j) {
    const DecisionVariable& v = spec_.variables[active_[j]];
    const double last = static_cast<double>(v.values.size() - 1);
    x[j] = static_cast<double>(start[active_[j]]) / last;
    step[j] = std::clamp(1.0 / last, 0.25, 0.5);  // a quarter of the range, at least one grid step
    xtol[j] = 0.5 / last;                         // below half a grid step nothing changes any more
  }
  opt.set_lower_bounds(std::vector<double>(n, 0.0));
  opt.set_upper_bounds(std::vector<double>(n, 1.0));
  opt.set_initial_step(step);
  opt.set_xtol_abs(xtol);
  opt.set_maxeval(static_cast<int>(std::min<std::size_t>(50 * limit_ + 100, 1000000)));
  opt.set_min_objective(nlopt_objective, this);
  if (algorithm == nlopt::LN_COBYLA) {
    bound_data_.clear();
    for (std::size_t b = 0; b < bounds_.size(); ++b) bound_data_.emplace_back(this, b);
    for (auto& d : bound_data_) opt.add_inequality_constraint(nlopt_bound, &d, 0.0);
  }
  std::string stop;
  try {
    double f = 0.0;
    const nlopt::result r = opt.optimize(x, f);
    stop = r == nlopt::XTOL_REACHED ? "xtol_reached (steps below half a grid step)" : nlopt_result_name(r);
  } catch (const nlopt::forced_stop&) {
    stop = "budget";  // set below when it was an error
  } catch (const nlopt::roundoff_limited&) {
    stop = "roundoff_limited";
  }
  opt_ = nullptr;
  if (error_) std::rethrow_exception(error_);
  if (budget_spent_) stop = "budget";
  budget_spent_ = false;
  return stop;
}

// One local search: the optimiser from `start`, leaving room for a round of the neighbourhood
// check (2 evaluations per variable), then the check on the whole budget.
std::string Search::local_search(const std::vector<std::size_t>& start, SearchMethod method) {
  const std::size_t budget = static_cast<std::size_t>(spec_.evaluations);
  const std::size_t reserve = std::min(2 * active_.size(), (budget - evaluations_.size()) / 2);
  limit_ = std::max(evaluations_.size() + 1, budget - reserve);
  const Evaluation* first = evaluate(start, evaluations_.empty() ? "start" : "restart");
  if (first == nullptr) return "budget";
  if (evaluations_.size() == 1) {  // the scale of the first start serves every later one
    objective_scale_ =
        std::isfinite(first->objective.mean) && first->objective.mean != 0.0 ? std::fabs(first->objective.mean) : 1.0;
  }
  const std::string optimizer = optimizer_search(start, method);
  limit_ = budget;
  return fmt::format("{}; neighbourhood check: {}", optimizer, neighbourhood_search());
}

// The next start of a multistart search: the unevaluated grid point farthest from every evaluated
// one (maximin distance in the box [0, 1]^n), among all grid points of a grid of at most 20000, else
// among 2000 points drawn with a fixed seed. nullopt when every candidate was evaluated.
std::optional<std::vector<std::size_t>> Search::farthest_point() const {
  constexpr std::size_t kEnumerate = 20000, kSampled = 2000;
  std::size_t grid = 1;
  for (std::size_t i : active_) grid = std::min(kEnumerate + 1, grid * spec_.variables[i].values.size());
  std::mt19937_64 rng(plan_.base_scenario.seed);
  std::vector<std::size_t> index(spec_.variables.size());
  for (std::size_t i = 0; i < index.size(); ++i) index[i] = spec_.variables[i].start;
  std::optional<std::vector<std::size_t>> best;
  double best_distance = 0.0;
  const std::size_t candidates = grid <= kEnumerate ? grid : kSampled;
  for (std::size_t k = 0; k < candidates; ++k) {
    if (grid <= kEnumerate) {
      std::size_t rest = k;  // the k-th grid point of the active variables, the last fastest
      for (std::size_t j = active_.size(); j-- > 0;) {
        const std::size_t size = spec_.variables[active_[j]].values.size();
        index[active_[j]] = rest % size;
        rest /= size;
      }
    } else {
      for (std::size_t i : active_) index[i] = rng() % spec_.variables[i].values.size();
    }
    double nearest = std::numeric_limits<double>::infinity();
    for (const Evaluation& e : evaluations_) {
      double d2 = 0.0;
      for (std::size_t i : active_) {
        const double last = static_cast<double>(spec_.variables[i].values.size() - 1);
        const double d = (static_cast<double>(index[i]) - static_cast<double>(e.index[i])) / last;
        d2 += d * d;
      }
      nearest = std::min(nearest, d2);
    }
    if (nearest > best_distance) {
      best_distance = nearest;
      best = index;
    }
  }
  return best;
}

// Compass search on the grid (a generalized pattern search with the coordinate directions: Torczon
// 1997): from the best point, evaluate each variable a step up and down; move to the best of them
// when it beats the point, else halve the steps; stop when steps of one grid step find nothing
// better (a grid point none of whose 2n neighbours is better). The first steps are a quarter of
// each variable's grid, rounded down to a power of two, so the check also looks past a kink next
// to the optimiser's point.
std::string Search::neighbourhood_search() {
  std::vector<std::size_t> step(spec_.variables.size(), 1);
  for (std::size_t i : active_) {
    while (4 * step[i] * 2 <= spec_.variables[i].values.size() - 1) step[i] *= 2;
  }
  std::size_t best = best_evaluation();
  while (true) {
    const std::vector<std::size_t> centre = evaluations_[best].index;
    for (std::size_t i : active_) {
      for (const int d : {-1, 1}) {
        if ((d < 0 && centre[i] < step[i]) || (d > 0 && centre[i] + step[i] >= spec_.variables[i].values.size())) {
          continue;
        }
        std::vector<std::size_t> next = centre;
        next[i] = d < 0 ? centre[i] - step[i] : centre[i] + step[i];
        if (evaluate(next, "neighbourhood") == nullptr) return "budget";
      }
    }
    const std::size_t now = best_evaluation();
    if (now != best) {
      best = now;
      continue;
    }
    if (std::all_of(active_.begin(), active_.end(), [&](std::size_t i) { return step[i] == 1; })) {
      return "local optimum (no grid neighbour is better)";
    }
    for (std::size_t i : active_) step[i] = std::max<std::size_t>(1, step[i] / 2);
  }
}

// Confirms the best feasible evaluations with more replications (the same indices continued) and
// screens them (Nelson et al. 2001; see optimize.hpp).
void Search::confirm(Optimization& out) {
  std::vector<std::size_t> order(evaluations_.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return better(evaluations_[a], evaluations_[b]); });
  out.best_evaluation = order.front();
  for (std::size_t k : order) {
    if (!evaluations_[k].feasible || static_cast<int>(out.candidates.size()) >= spec_.candidates) break;
    Candidate c;
    c.evaluation = k;
    c.delta_to_best.mean = kNaN;  // set for feasible candidates below
    c.result = evaluations_[k].result;
    if (spec_.confirm_replications > spec_.search_replications) {
      const auto more =
          runner_.run(scenarios_[k], spec_.search_replications, spec_.confirm_replications - spec_.search_replications);
      c.result = concatenate(std::move(c.result), metrics_only(*more));
    }
    judge(c.result, c.objective, c.constraints, c.feasible, c.violation);
    out.candidates.push_back(std::move(c));
  }
  std::vector<std::size_t> feasible;
  for (std::size_t i = 0; i < out.candidates.size(); ++i) {
    if (out.candidates[i].feasible) feasible.push_back(i);
  }
  out.feasible = !feasible.empty();
  const double sign = spec_.objective.direction == Direction::kMaximize ? 1.0 : -1.0;
  const auto score = [&](std::size_t i) { return sign * out.candidates[i].objective.mean; };
  if (!out.feasible) return;
  const std::size_t best = *std::max_element(feasible.begin(), feasible.end(),
                                             [&](std::size_t a, std::size_t b) { return score(a) < score(b); });
  const std::size_t k = feasible.size();
  const double n = static_cast<double>(spec_.confirm_replications);
  const double t = k < 2 ? 0.0 : student_t_quantile(std::pow(0.95, 1.0 / static_cast<double>(k - 1)), n - 1.0);
  const std::string& metric = spec_.objective.metric;
  for (std::size_t i : feasible) {
    Candidate& c = out.candidates[i];
    c.delta_to_best = summarize(paired_replicates(c.result, out.candidates[best].result, metric));
    c.indistinguishable = true;
    for (std::size_t j : feasible) {
      if (j == i) continue;
      const Summary d = summarize(paired_replicates(c.result, out.candidates[j].result, metric));
      const double w = t * d.sd.value_or(0.0) / std::sqrt(n);
      if (sign * d.mean < -w) c.indistinguishable = false;
    }
  }
  // Best first: the feasible by objective, then the rest in search order.
  std::stable_sort(out.candidates.begin(), out.candidates.end(), [&](const Candidate& a, const Candidate& b) {
    if (a.feasible != b.feasible) return a.feasible;
    return a.feasible && sign * a.objective.mean > sign * b.objective.mean;
  });
  out.best_candidate = 0;
  out.best_evaluation = out.candidates.front().evaluation;
}

Optimization Search::run() {
  Optimization out;
  out.spec = spec_;
  out.grid_points = 1;
  for (const DecisionVariable& v : spec_.variables) {
    const std::size_t cap = std::numeric_limits<std::size_t>::max() / std::max<std::size_t>(v.values.size(), 1);
    out.grid_points =
        out.grid_points > cap ? std::numeric_limits<std::size_t>::max() : out.grid_points * v.values.size();
  }
  out.method = spec_.method;
  if (out.method == SearchMethod::kAuto) {
    out.method =
        out.grid_points <= static_cast<std::size_t>(spec_.evaluations) ? SearchMethod::kGrid : SearchMethod::kCobyla;
  }
  const std::size_t budget = static_cast<std::size_t>(spec_.evaluations);
  std::vector<std::size_t> start(spec_.variables.size());
  for (std::size_t i = 0; i < start.size(); ++i) start[i] = spec_.variables[i].start;
  if (out.method == SearchMethod::kGrid) {
    limit_ = budget;
    grid_search();
    out.stop = evaluations_.size() >= out.grid_points ? "every grid point evaluated" : "budget";
  } else {
    // Multistart: local searches (the optimiser, then the neighbourhood check) from the start, then
    // from the grid point farthest from everything evaluated, until the budget is spent.
    std::vector<std::string> stops;
    std::optional<std::vector<std::size_t>> from = start;
    while (from && evaluations_.size() < budget) {
      stops.push_back(fmt::format("start {} ({}): {}", stops.size() + 1, describe_values(spec_, *from),
                                  local_search(*from, out.method)));
      from = farthest_point();
    }
    out.stop =
        fmt::format("{}, {} start{}: ", search_method_name(out.method), stops.size(), stops.size() == 1 ? "" : "s");
    for (std::size_t k = 0; k < stops.size(); ++k) out.stop += (k == 0 ? "" : "; ") + stops[k];
  }
  confirm(out);
  out.evaluations = evaluations_;
  out.info = explore_info(spec_.base, plan_.base_scenario, options_, runner_);
  return out;
}

}  // namespace

std::vector<PointChange> point_changes(const OptimizeSpec& spec, const json& effective,
                                       const std::vector<std::size_t>& index) {
  std::vector<PointChange> changes;
  for (std::size_t i = 0; i < spec.variables.size(); ++i) {
    const DecisionVariable& v = spec.variables[i];
    const std::string& text = v.values[index[i]];
    if (!v.add) {
      changes.push_back({v.pointer, text, false});
      continue;
    }
    const double amount = parse_value_text(text).get<double>();
    const auto sum = move_numbers(effective.at(json::json_pointer(v.pointer)), v.pointer,
                                  [amount](double x, const SchemaNumber&) { return x + amount; });
    CXSIM_CHECK(sum.has_value(), "an \"add\" variable's base value holds numbers (checked when the spec was read)");
    changes.push_back({v.pointer, sum->dump(), false});
  }
  return changes;
}

std::string describe_values(const OptimizeSpec& spec, const std::vector<std::size_t>& index) {
  std::string out;
  for (std::size_t i = 0; i < spec.variables.size(); ++i) {
    out += fmt::format("{}{}={}", i == 0 ? "" : ", ", spec.variables[i].name, spec.variables[i].values[index[i]]);
  }
  return out;
}

Json values_json(const OptimizeSpec& spec, const std::vector<std::size_t>& index) {
  Json out = Json::object();
  for (std::size_t i = 0; i < spec.variables.size(); ++i) {
    out[spec.variables[i].name] = value_json(spec.variables[i].values[index[i]]);
  }
  return out;
}

Optimization run_optimize(const OptimizePlan& plan, const ExploreOptions& options) {
  Search search(plan, options);
  return search.run();
}

}  // namespace cxsim
