#pragma once
// The per-customer kernel: plain serial code that reads like ../shared/MODEL.md "One period, in
// order". It knows nothing of threads; the runner calls it over blocks of customers. Every draw
// comes from the customer's own Philox stream (rng.hpp), so the order of calls never matters.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "backlog.hpp"
#include "erlang_a.hpp"
#include "intervention.hpp"
#include "model.hpp"
#include "rng.hpp"
#include "tally.hpp"

namespace cxsim {

// State of one simulated customer between periods: 32 bytes.
struct Customer {
  float sentiment;               // s in [-1, 1]
  float bad;                     // decayed count of bad experiences
  float effort;                  // decayed recent effort
  float frailty;                 // z, Gamma(1/v, v)
  float hazard_budget;           // E ~ Exp(1) less the cumulative hazard so far (see end_period)
  std::int32_t issue_opened;     // run period index the open issue opened; -1 = no open issue
  std::uint16_t touchpoint;      // current touchpoint (model index; at most 65535 touchpoints)
  std::uint16_t issue_contacts;  // contacts made so far on the open issue
  std::uint8_t segment;
  std::uint8_t flags;     // kActive | kContacting | kPending | kCohort | kTreat | kTimed
  std::uint8_t channel;   // channel of this period's contact, or of the pending backlog request
  std::uint8_t interval;  // interval of the open day of this period's contact

  static constexpr std::uint8_t kActive = 1;
  static constexpr std::uint8_t kContacting = 2;
  static constexpr std::uint8_t kPending = 4;  // a backlog request awaits its answer (PendingAnswers)
  static constexpr std::uint8_t kCohort = 8;   // active at the start of period 0: the measured base
  // Shortcuts to the intervention side arrays (InterventionState), so the common path never reads
  // them: kTreat, a capacity-limited intervention selected the customer for treatment at the start of
  // the next period (its marks say which); kTimed, a timed effect may be live (set by a treatment
  // that starts one, cleared at the end of the period after the last one ends).
  static constexpr std::uint8_t kTreat = 16;
  static constexpr std::uint8_t kTimed = 32;
  bool active() const { return flags & kActive; }
  bool cohort() const { return flags & kCohort; }
  bool has_issue() const { return issue_opened >= 0; }
  bool pending() const { return flags & kPending; }
};
static_assert(sizeof(Customer) == 32, "Customer state is meant to stay at 32 bytes");

// P(promoter | s) and P(detractor | s) for L = clamp(round(5 + 5 s + e), 0, 10), e ~ N(0, sd).
double promoter_probability(double s, double noise_sd);
double detractor_probability(double s, double noise_sd);

// P(promoter | s) tabulated on a uniform grid over s in [-1, 1] and linearly interpolated: for the
// referral count, which adds it up for every active customer every period. With 4096 intervals the
// interpolation error is at most h^2/8 max|f''| <= 1e-7 (for noise_sd >= 0.5; finer noise gets a
// finer grid), far below any referral count's Monte Carlo error; NPS keeps the exact erfc.
class PromoterTable {
 public:
  explicit PromoterTable(double noise_sd);
  double operator()(double s) const {
    if (step_) return s >= 0.7 ? 1.0 : 0.0;  // noise_sd 0: L = round(5 + 5 s), promoter iff s >= 0.7
    const double x = (s + 1.0) * scale_;
    const auto i = static_cast<std::size_t>(std::min(std::max(x, 0.0), last_));
    const double f = x - static_cast<double>(i);
    return values_[i] + f * (values_[i + 1] - values_[i]);
  }
  // Largest interpolation error bound, for tests.
  double error_bound() const { return error_bound_; }
  // The table, for the same interpolation in SIMD lanes (rng_simd.hpp interpolated_fixed_sum).
  bool step() const { return step_; }
  const double* values() const { return values_.data(); }
  double scale() const { return scale_; }
  double last() const { return last_; }

 private:
  std::vector<double> values_;
  double scale_ = 0.0, last_ = 0.0, error_bound_ = 0.0;
  bool step_ = false;
};

// Backlog requests awaiting their answer, beside the Customer state, allocated only when the model
// has a backlog channel: per customer the period of the answer, the period the request was made
// (an answer applies only to the issue it was about) and the wait in real minutes. An entry means
// something only while the customer's kPending flag is set, so growing the base just appends.
class PendingAnswers {
 public:
  PendingAnswers() = default;
  explicit PendingAnswers(std::uint32_t customers) { resize(customers); }
  void resize(std::uint32_t customers) {
    answer_period_.resize(customers, 0);
    request_period_.resize(customers, 0);
    wait_minutes_.resize(customers, 0.0f);
  }
  void reserve(std::uint64_t customers) {
    answer_period_.reserve(customers);
    request_period_.reserve(customers);
    wait_minutes_.reserve(customers);
  }
  std::int32_t& answer_period(std::uint32_t slot) { return answer_period_[slot]; }
  std::int32_t& request_period(std::uint32_t slot) { return request_period_[slot]; }
  float& wait_minutes(std::uint32_t slot) { return wait_minutes_[slot]; }
  static constexpr std::size_t kBytesPerCustomer = 2 * sizeof(std::int32_t) + sizeof(float);

 private:
  std::vector<std::int32_t> answer_period_, request_period_;
  std::vector<float> wait_minutes_;
};

// What the serve stage knows of each channel in one period, planned by the runner from the
// period's exact demand: the Erlang A chain of a staffed queue channel, the fluid of a backlog one.
struct ServicePeriod {
  std::vector<const ErlangADay*> queue;       // per channel; null unless a staffed queue channel
  std::vector<const BacklogPeriod*> backlog;  // per channel; null unless a backlog channel
};

// A customer as the kernel sees it: its id (which keys its random streams and its waitlist entries)
// and its slot in this process's state arrays (InterventionState, PendingAnswers). In a run of one
// process they are equal; a process of a distributed run holds some ranges of ids (runner.cpp).
struct Who {
  std::uint32_t id;
  std::uint32_t slot;
  Who(std::uint32_t id_and_slot) : id(id_and_slot), slot(id_and_slot) {}  // NOLINT: implicit on purpose
  Who(std::uint32_t customer_id, std::uint32_t state_slot) : id(customer_id), slot(state_slot) {}
};

// A customer's (t, kVisit) block and its visit-quality normal, drawn by the runner for a block of
// customers at once in SIMD lanes (rng_simd.hpp): the same words step would draw, the normal of the
// kernel's lane math.
struct VisitDraw {
  Words4 words;
  double normal;
};

// A block of customers' (t, kVisit) words and visit normals, structure of arrays: customer j's words
// are w[0][j] .. w[3][j], its normal z[j] (the runner's scratch, drawn in lanes).
struct BlockDraws {
  const std::uint32_t* w[4];
  const double* z;
};

// The kernel's math for the two functions of every customer-period (MODEL.md leaves their rounding
// free): the visit quality's normal (Box-Muller: log, cos) and the hazard's exp(b.x).
//  - kLanes: Highway's vector Log, Cos and Exp (rng_simd.hpp "Lane math"); the engine's definition,
//    which results, goldens and results/ follow.
//  - kScalarReference: glibc's std::log, std::cos and std::exp, as the kernel computed them before
//    lanes; kept as a test oracle (tests/test_rng_simd.cpp: every shipped scenario's figures agree
//    to 1e-9 and every count exactly) and as the benchmarks' reference.
enum class KernelMath { kLanes, kScalarReference };

// The kernel's `t` is the run period index: period + warmup_periods, 0 = the first warm-up period
// (model.hpp "Time"). Without a warm-up it is the period.
class Kernel {
 public:
  // `interventions` is the per-customer memory of the model's interventions; it may be null only
  // when the model has none.
  // `pending` holds backlog requests awaiting their answer; null only when the model has no backlog
  // channel.
  Kernel(const Model& model, std::uint32_t replication, InterventionState* interventions = nullptr,
         PendingAnswers* pending = nullptr, KernelMath math = KernelMath::kLanes);

  KernelMath math() const { return math_; }

  // Draws segment, initial sentiment, frailty and starting touchpoint (the start is not a visit).
  // A joiner draws its segment and start from the acquisition's mix; an initial customer is of the
  // cohort at once when the run has no warm-up.
  void init(Customer& c, Who who, bool joiner = false) const;

  // Period t, phase 1 (MODEL "One period" steps 1-2): revenue for starting the period active,
  // periodic triggers and the treatments selected from last period's waitlists, self-resolution,
  // then a contact (counted in the channel's demand) or a journey step (on_visit and on_failure
  // triggers act here).
  // `visit`, when given, is the customer's (t, kVisit) block and visit normal already drawn (the
  // runner draws a block of customers' at once in lanes); they are the same step would draw.
  void step(Customer& c, Who who, int t, Tally& tally, const VisitDraw* visit = nullptr) const;

  // step of `count` consecutive customers (ids first_id.., slots first_slot..) with their draws.
  void step_block(Customer* customers, std::uint32_t first_id, std::uint32_t first_slot, std::uint32_t count, int t,
                  Tally& tally, const BlockDraws& draws) const;

  // Period t, phase 2 (step 3): the outcome of this period's contact given the channels' queues
  // (a queue channel: the state found, the offered wait against the customer's patience; a backlog
  // channel: the answer's period and wait, the outcome waiting until then), and of a backlog
  // request answered in this period; after_contact triggers follow each outcome.
  void serve(Customer& c, Who who, int t, const ServicePeriod& service, Tally& tally) const;

  // Period t, phase 3 (step 4): referrals, state triggers (sentiment_below, risk_above,
  // issue_age_above, in intervention order), churn draw, decays, NPS when due; in the last period a
  // survivor's terminal value (MODEL.md "Value beyond the horizon").
  // The churn draw is made by inversion of the cumulative hazard: each customer draws E ~ Exp(1)
  // once (Stream::kHazard) and churns at the end of the first period t with
  // sum_{s <= t} z base m_s exp(b.x_s) >= E. Given survival to t - 1 this happens with probability
  // 1 - exp(-z base m_t exp(b.x_t)), exactly MODEL.md's per-period cloglog draw, at the cost of one
  // exp per customer-period; and a variant that lowers the hazard never makes a customer churn
  // earlier (a monotone coupling, so common random numbers pay more).
  void end_period(Customer& c, Who who, int t, Tally& tally) const;

  // end_period of `count` consecutive customers (ids first_id.., slots first_slot..): their referrals
  // and their hazards' exp(b.x) at once in lanes, in `scratch` (kEndScratch count doubles), then each
  // in turn. With `service`, each customer with a contact or backlog answer to serve is served first
  // (in the same pass over the block). The same result as serve, then end_period, of each.
  static constexpr std::size_t kEndScratch = 4;
  void end_period_block(Customer* customers, std::uint32_t first_id, std::uint32_t first_slot, std::uint32_t count,
                        int t, Tally& tally, double* scratch, const ServicePeriod* service = nullptr) const;

  // This period's churn probability p = 1 - exp(-z base m exp(b.x)) (cloglog proportional hazards),
  // with m = `hazard_multiplier` (the product of the customer's live intervention multipliers).
  double churn_probability(const Customer& c, double hazard_multiplier = 1.0) const;

  // Product of the hazard multipliers of customer `id`'s timed intervention effects live in period t.
  double hazard_multiplier(Who who, int t) const;

 private:
  void experience(Customer& c, double quality, double salience) const;
  void step_one(Customer& c, Who who, int t, bool periodic_due, Tally& tally, const VisitDraw* draw) const;
  // `failure_draw` is the uniform of the failure draw, `z` the quality's standard normal.
  void visit(Customer& c, Who who, int t, std::uint32_t v, double failure_draw, double z, Tally& tally) const;
  // What end_period counts for every survivor (in registers over a block, then into the tally),
  // and what holds for every customer of period t.
  struct PeriodEnd {
    std::size_t p;           // tally.at(t)
    bool nps_due, terminal;  // m_.nps_due[t]; the last period and a terminal value defined
    std::int64_t active = 0, cohort_active = 0, open_issues = 0;
    PeriodEnd(const Model& m, const Tally& tally, int t);
    void add_to(Tally& tally) const;
  };
  // end_period after the referrals, with exp(b.x) of the customer's state at the start of the phase.
  // `multiplier` is start_multiplier's.
  void end_period(Customer& c, Who who, int t, Tally& tally, PeriodEnd& end, double exp_x, double multiplier) const;
  double start_multiplier(const Customer& c, Who who, int t) const;
  // b.x of the churn hazard (MODEL.md "Churn"), and exp of it in the kernel's math.
  double hazard_predictor(const Customer& c) const;
  double hazard_exp(const Customer& c) const;
  // Intervention i's trigger held for customer c in period t: checks the target and draws coverage,
  // then treats at once (returns true) or puts the customer on the waitlist (capacity-limited).
  bool fire(Customer& c, Who who, int t, std::uint32_t i, Tally& tally) const;
  // Applies intervention i's effect to customer c in period t and counts the use.
  void treat(Customer& c, Who who, int t, std::uint32_t i, Tally& tally) const;
  // A contact's outcome (MODEL.md "Each contact's outcome"): resolution, quality, effort, CSAT, CES,
  // FCR and ART, then after_contact triggers. `backlog`: the wait term is counted in periods and
  // the effort's waiting term capped at 24; `same_issue` false: the issue closed meanwhile, so the
  // answer resolves nothing.
  void outcome(Customer& c, Who who, int t, bool abandoned, double wait_minutes, bool backlog, bool same_issue,
               Tally& tally) const;
  // z base m exp(b.x) given exp(b.x).
  double period_hazard(const Customer& c, double hazard_multiplier, double exp_x) const;
  // `hazard` is the customer's period_hazard now.
  bool state_trigger_holds(const Customer& c, int t, const InterventionModel& iv, double hazard) const;
  void count_referrals(const Customer& c, ExactSum& sum) const;
  // Intervention i may act on the customer in period t: not within its cooldown, not a second
  // treatment of a once_per_customer intervention.
  bool ready_for(Who who, int t, std::uint32_t i, const InterventionModel& iv) const;

  const Model& m_;
  std::uint32_t replication_;
  PromoterTable promoter_;
  InterventionState* iv_state_;
  PendingAnswers* pending_;
  KernelMath math_;
  bool any_referrals_ = false;   // a segment refers (referral_rate > 0)
  bool referral_lanes_ = false;  // ... and the block's referrals are summed in lanes (engine.cpp)
};

}  // namespace cxsim
