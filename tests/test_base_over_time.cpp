// A customer base over time (MODEL.md version 2): acquisition, warm-up, referrals that join,
// schedules, intervention cooldowns, and the value beyond the horizon, against closed forms (with
// tolerances of 4 standard errors from the closed-form variance, fixed seeds) and exact identities.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cxsim/stats.hpp"
#include "engine.hpp"
#include "run_model.hpp"
#include "sim_helpers.hpp"

using cxsim::testing::metric_mean;
using cxsim::testing::run_text;
using cxsim::testing::series_mean;

namespace {

// One touchpoint that loops on itself, frozen sentiment and no churn covariates: every customer has
// the constant hazard z * base (MODEL.md "Churn hazard" with all coefficients 0).
std::string base_scenario(const std::string& top, const std::string& segment, const std::string& home = "",
                          const std::string& rest = "") {
  return R"({"name": "base over time", "seed": 314, )" + top + R"(
    "segments": {"all": {"share": 1, "memory": 0, )" +
         segment + R"(}},
    "journey": {"entry": "home", "touchpoints": {"home": {"next": {"home": 1})" +
         home + R"(}}},
    "churn": {"sentiment": 0, "open_issue": 0, "bad_experiences": 0, "effort": 0})" +
         rest + "}";
}

// Variance over replications of a metric (n - 1 in the denominator).
double metric_variance(const cxsim::RunResult& r, const std::string& name) {
  const double mean = metric_mean(r, name);
  double ss = 0.0;
  for (const auto& rep : r.replications) ss += std::pow(rep.metrics.at(name) - mean, 2);
  return ss / static_cast<double>(r.replications.size() - 1);
}

}  // namespace

// Churn probability p per period, acquisition a per period joining at the start of the period and
// facing its churn draw: E[active at the end of t] = N0 q^(t+1) + a q (1 - q^(t+1)) / p, q = 1 - p.
// Each customer survives independently, so the variance is a sum of Bernoulli variances.
TEST(BaseOverTime, AcquisitionMatchesTheClosedForm) {
  const double n0 = 4000, a = 40, h = 0.01;
  const int reps = 8, horizon = 100;
  const auto r = run_text(base_scenario(R"("horizon_periods": 100, "replications": 8,
      "population": {"customers": 4000, "acquisition": 40},)",
                                        R"("hazard": {"base": 0.01})"));
  const double q = std::exp(-h), p = 1.0 - q;
  for (int t : {0, 9, 49, 99}) {
    SCOPED_TRACE(t);
    const double s0 = std::pow(q, t + 1);
    const double expected = n0 * s0 + a * q * (1.0 - s0) / p;
    double variance = n0 * s0 * (1.0 - s0);
    for (int k = 1; k <= t + 1; ++k) variance += a * std::pow(q, k) * (1.0 - std::pow(q, k));
    EXPECT_NEAR(series_mean(r, "active", static_cast<std::size_t>(t)), expected, 4.0 * std::sqrt(variance / reps));
  }
  for (const auto& rep : r.replications) {
    for (double joined : rep.series.at("joined")) EXPECT_EQ(joined, a);
    EXPECT_EQ(rep.metrics.at("joined"), a * horizon);
    EXPECT_EQ(rep.metrics.at("customers_start"), n0);
    EXPECT_EQ(rep.metrics.at("customers_end"), rep.series.at("active").back());
  }
  // Retention stays the initial cohort's: q^(t+1), not diluted by the joiners.
  const double s_end = std::pow(q, horizon);
  EXPECT_NEAR(metric_mean(r, "retention"), s_end, 4.0 * std::sqrt(s_end * (1 - s_end) / (n0 * reps)));
}

// The count of period t is floor(A(t+1)) - floor(A(t)): exact in every replication, also for a
// fractional amount, a schedule and periods of the warm-up.
TEST(BaseOverTime, AcquisitionCountsAreExactFloorsOfTheCumulativeAmount) {
  const auto r = run_text(base_scenario(R"("horizon_periods": 40, "replications": 2, "warmup_periods": 3,
      "population": {"customers": 100, "acquisition": {"per_period": {"default": 2.5, "periods": {"10-20": 0.3}}}},)",
                                        R"("hazard": {"base": 0.001})"));
  const auto amount = [](int period) { return period >= 10 && period < 20 ? 0.3 : 2.5; };
  double cumulative = 0.0;
  for (int period = -3; period < 0; ++period) cumulative += amount(period);
  for (const auto& rep : r.replications) {
    double before = cumulative;
    for (int t = 0; t < 40; ++t) {
      const double after = before + amount(t);
      EXPECT_EQ(rep.series.at("joined")[t], std::floor(after + 1e-9) - std::floor(before + 1e-9)) << "period " << t;
      before = after;
    }
  }
}

// With a constant hazard and no frailty a warm-up changes nothing but the starting count: the
// cohort is Binomial(N0, q^W) and its retention is q^(t+1), as without a warm-up.
TEST(BaseOverTime, WarmupUnderAConstantHazardOnlyShrinksTheStart) {
  const double n0 = 20000, h = 0.01;
  const int reps = 8, warmup = 100;
  const std::string top = R"("horizon_periods": 50, "replications": 8, "population": {"customers": 20000},)";
  const auto cold = run_text(base_scenario(top, R"("hazard": {"base": 0.01})"));
  const auto warm = run_text(base_scenario(top + R"("warmup_periods": 100,)", R"("hazard": {"base": 0.01})"));
  const double q = std::exp(-h), s_w = std::pow(q, warmup);
  EXPECT_EQ(metric_mean(cold, "customers_start"), n0);
  EXPECT_NEAR(metric_mean(warm, "customers_start"), n0 * s_w, 4.0 * std::sqrt(n0 * s_w * (1 - s_w) / reps));
  for (int t : {0, 9, 49}) {
    SCOPED_TRACE(t);
    const double s = std::pow(q, t + 1);
    EXPECT_NEAR(series_mean(cold, "retention", t), s, 4.0 * std::sqrt(s * (1 - s) / (n0 * reps)));
    EXPECT_NEAR(series_mean(warm, "retention", t), s, 4.0 * std::sqrt(s * (1 - s) / (n0 * s_w * reps)));
  }
}

// With gamma frailty the warm-up selects the robust: survival from period 0 is S(W + t + 1) / S(W)
// with S(t) = (1 + v h t)^(-1/v), and the survivors' mean hazard at t = 0 is h / (1 + v h W).
TEST(BaseOverTime, WarmupWithFrailtyLeavesTheClosedFormSurvivors) {
  const double n0 = 20000, h = 0.005, v = 1.0;
  const int reps = 8, warmup = 200;
  const auto r = run_text(base_scenario(R"("horizon_periods": 30, "replications": 8, "warmup_periods": 200,
      "population": {"customers": 20000},)",
                                        R"("hazard": {"base": 0.005, "frailty_variance": 1})"));
  const auto S = [&](double t) { return std::pow(1.0 + v * h * t, -1.0 / v); };
  const double cohort = n0 * S(warmup);
  EXPECT_NEAR(metric_mean(r, "customers_start"), cohort,
              4.0 * std::sqrt(n0 * S(warmup) * (1 - S(warmup)) / reps));
  for (int t : {0, 9, 29}) {
    SCOPED_TRACE(t);
    const double s = S(warmup + t + 1) / S(warmup);
    EXPECT_NEAR(series_mean(r, "retention", t), s, 4.0 * std::sqrt(s * (1 - s) / (cohort * reps)));
  }
  // The first period's churn share estimates E[1 - exp(-z h)] over the survivors, which is their
  // mean hazard h E[z | survived W] = h / (1 + v h W) less at most h^2 E[z^2 | survived W] / 2
  // (z | survived W ~ Gamma(1/v, rate 1/v + h W)).
  const double hazard = h / (1.0 + v * h * warmup);
  const double shape = 1.0 / v, rate = 1.0 / v + h * warmup;
  const double bias = h * h * shape * (shape + 1.0) / (rate * rate) / 2.0;
  const double churned = 1.0 - series_mean(r, "retention", 0);
  EXPECT_NEAR(churned, hazard - bias / 2.0, 4.0 * std::sqrt(hazard / (cohort * reps)) + bias / 2.0);
}

// Referrals that join: the joiners of period t are floor(R(t - 1)) - floor(R(t - 2)), R the cumulative
// expected referrals to the end of a period, exactly, in every replication.
TEST(BaseOverTime, ReferralJoinersAreTheFloorOfCumulativeReferrals) {
  const auto r = run_text(base_scenario(R"("horizon_periods": 60, "replications": 2,
      "population": {"customers": 5000, "referrals_join": true},)",
                                        R"("referral_rate": 0.004, "initial_sentiment": {"mean": 0.6, "sd": 0.3},
         "hazard": {"base": 0.002})"));
  double joined_total = 0.0;
  for (const auto& rep : r.replications) {
    const auto& referrals = rep.series.at("referrals");
    const auto& joined = rep.series.at("joined");
    double cumulative = 0.0, whole = 0.0;
    EXPECT_EQ(joined[0], 0.0);
    for (std::size_t t = 1; t < joined.size(); ++t) {
      cumulative += referrals[t - 1];  // fixed-point sums: exact in double at these magnitudes
      EXPECT_EQ(joined[t], std::floor(cumulative) - whole) << "period " << t;
      whole = std::floor(cumulative);
      joined_total += joined[t];
    }
    EXPECT_NEAR(rep.metrics.at("referrals"), cumulative + referrals.back(), 1e-6);
  }
  EXPECT_GT(joined_total, 500.0);  // 0.004 x ~0.4 promoters x 5000 x 59 periods x 2 replications
}

// A failure schedule: doubling a touchpoint's failure for 30 days doubles its failures in those days
// and leaves every other day's draws identical (common random numbers). With self_resolve 1 and no
// churn, open_issues[t] counts exactly the failures of period t.
TEST(BaseOverTime, FailureScheduleActsOnlyInItsPeriods) {
  const std::string top = R"("horizon_periods": 90, "replications": 2, "population": {"customers": 20000},)";
  const std::string segment = R"("self_resolve": 1)";
  const auto plain = run_text(base_scenario(top, segment, R"(, "failure": 0.05)"));
  const auto doubled =
      run_text(base_scenario(top, segment, R"(, "failure": {"default": 0.05, "periods": {"30-60": 0.1}})"));
  double in_plain = 0.0, in_doubled = 0.0;
  for (std::size_t k = 0; k < plain.replications.size(); ++k) {
    const auto& a = plain.replications[k].series.at("open_issues");
    const auto& b = doubled.replications[k].series.at("open_issues");
    for (int t = 0; t < 90; ++t) {
      if (t >= 30 && t < 60) {
        EXPECT_GE(b[t], a[t]);  // the failure draw is monotone in the probability
        in_plain += a[t];
        in_doubled += b[t];
      } else {
        EXPECT_EQ(b[t], a[t]) << "period " << t;
      }
    }
  }
  const double visits = 20000.0 * 30 * 2;
  EXPECT_NEAR(in_plain, 0.05 * visits, 4.0 * std::sqrt(visits * 0.05 * 0.95));
  EXPECT_NEAR(in_doubled, 0.10 * visits, 4.0 * std::sqrt(visits * 0.10 * 0.90));
}

// Schedules of revenue_per_period: a price change moves the revenue series exactly (no churn).
TEST(BaseOverTime, RevenueScheduleIsAPriceChange) {
  const auto r = run_text(base_scenario(R"("horizon_periods": 30, "replications": 1, "population": {"customers": 1000},)",
                                        R"("revenue_per_period": {"default": 2, "periods": {"10-20": 3}, "weekly": [2, 2, 2, 2, 2, 1, 1]})"));
  const auto& revenue = r.replications[0].series.at("revenue");
  for (int t = 0; t < 30; ++t) {
    const double price = t >= 10 && t < 20 ? 3.0 : (t % 7 >= 5 ? 1.0 : 2.0);
    EXPECT_EQ(revenue[t], 1000.0 * price) << "period " << t;
  }
}

// Schedules compile to one table per schedule over the warm-up, the horizon and the period after it;
// warm-up periods are negative (weekly patterns count back from period 0).
TEST(BaseOverTime, SchedulesCompileToRunPeriodTables) {
  const cxsim::Scenario s = cxsim::parse_scenario(
      base_scenario(R"("horizon_periods": 10, "warmup_periods": 4, "population": {"customers": 10},)",
                    R"("contact_propensity": {"weekly": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]})",
                    R"(, "failure": {"default": 0.01, "periods": {"2-5": 0.2}})",
                    R"(, "service": {"channels": {"c": {"share": 1, "agents": 2,
                         "aht_minutes": {"default": 10, "periods": {"5-100": 8}}}}})"),
      "schedules.json");
  const cxsim::Model m = cxsim::compile_model(s);
  ASSERT_EQ(m.periods(), 14);
  for (int period = -4; period <= 10; ++period) {
    SCOPED_TRACE(period);
    const int t = period + 4;
    EXPECT_EQ(m.touchpoints[0].failure_at(t), period >= 2 && period < 5 ? 0.2 : 0.01);
    const double weekly[7] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};
    EXPECT_EQ(m.segments[0].contact_propensity_at(t), weekly[((period % 7) + 7) % 7]);
    EXPECT_EQ(m.channels[0].aht_at(t), period >= 5 ? 8.0 : 10.0);
  }
  EXPECT_TRUE(m.segments[0].revenue_at.by_period.empty());  // a constant keeps no table
}

namespace {

// Per-customer records of an intervention that fires every period (sentiment_below 1 always holds:
// sentiment stays 0), with coverage 0.7, through the kernel directly: the periods each customer was
// treated in.
std::vector<std::vector<int>> treatment_periods(const std::string& intervention_keys, int customers, int periods) {
  const cxsim::Scenario s = cxsim::parse_scenario(
      base_scenario(R"("horizon_periods": 100, "population": {"customers": 1},)", R"("hazard": {"base": 0})", "",
                    R"(, "interventions": {"desk": {"trigger": {"sentiment_below": 1}, "coverage": 0.7,
                         "effect": {"effort_change": -0.1}, )" +
                        intervention_keys + "}}"),
      "cooldown.json");
  const cxsim::Model m = cxsim::compile_model(s);
  cxsim::InterventionState state(static_cast<std::uint32_t>(customers), m.interventions);
  const cxsim::Kernel kernel(m, 0, &state);
  std::vector<std::vector<int>> out(static_cast<std::size_t>(customers));
  for (int id = 0; id < customers; ++id) {
    cxsim::Customer c{};
    cxsim::Tally tally(m);  // one customer's own tally: its uses per period
    const auto uid = static_cast<std::uint32_t>(id);
    kernel.init(c, uid);
    for (int t = 0; t < periods; ++t) {
      kernel.step(c, uid, t, tally);
      kernel.end_period(c, uid, t, tally);
    }
    const auto& uses = tally.interventions[0].uses_by_period;
    for (int t = 0; t < periods; ++t) {
      for (std::int64_t k = 0; k < uses[static_cast<std::size_t>(t)]; ++k) out[static_cast<std::size_t>(id)].push_back(t);
    }
  }
  return out;
}

// The smallest gap between two treatments of one customer, over all customers.
int smallest_gap(const std::vector<std::vector<int>>& records) {
  int gap = 1 << 30;
  for (const auto& periods : records) {
    for (std::size_t k = 1; k < periods.size(); ++k) gap = std::min(gap, periods[k] - periods[k - 1]);
  }
  return gap;
}

}  // namespace

// No customer is treated twice within the cooldown; the cooldown blocks nothing more (the smallest
// gap is the cooldown itself); without it, customers are treated on consecutive days.
TEST(BaseOverTime, CooldownSpacesTreatmentsPerCustomer) {
  EXPECT_EQ(smallest_gap(treatment_periods(R"("cooldown_periods": 0)", 200, 100)), 1);
  EXPECT_EQ(smallest_gap(treatment_periods(R"("cooldown_periods": 7)", 200, 100)), 7);
  std::size_t treated = 0;
  for (const auto& periods : treatment_periods(R"("once_per_customer": true)", 200, 100)) {
    EXPECT_LE(periods.size(), 1u);
    treated += periods.size();
  }
  EXPECT_EQ(treated, 200u);  // coverage 0.7 a day: everyone is reached within 100 days
}

// Through the runner, for a capacity-limited team (treating the next period from this period's
// list): with a cooldown c a customer is treated in periods 1, c + 2, 2c + 3, ... (triggered again at
// the end of the period the cooldown ends, treated the period after); once_per_customer gives
// reach == uses.
TEST(BaseOverTime, CooldownAndOncePerCustomerForACapacityLimitedTeam) {
  const auto run = [](const std::string& keys) {
    return run_text(base_scenario(R"("horizon_periods": 30, "replications": 2, "population": {"customers": 1000},)",
                                  R"("hazard": {"base": 0})", "",
                                  R"(, "interventions": {"desk": {"trigger": {"sentiment_below": 1},
                                       "capacity_per_period": 100000, "effect": {"effort_change": -0.1}, )" +
                                      keys + "}}"));
  };
  const auto cooled = run(R"("cooldown_periods": 4)");
  for (const auto& rep : cooled.replications) {
    EXPECT_EQ(rep.interventions.at("desk").values.at("uses"), 1000.0 * 6);  // periods 1, 6, 11, 16, 21, 26
    EXPECT_EQ(rep.interventions.at("desk").values.at("reach"), 1000.0);
    const auto& uses = rep.series.at("uses.desk");
    for (int t = 0; t < 30; ++t) EXPECT_EQ(uses[t], t % 5 == 1 ? 1000.0 : 0.0) << "period " << t;
  }
  const auto once = run(R"("once_per_customer": true)");
  for (const auto& rep : once.replications) {
    EXPECT_EQ(rep.interventions.at("desk").values.at("uses"), 1000.0);
    EXPECT_EQ(rep.interventions.at("desk").values.at("reach"), rep.interventions.at("desk").values.at("uses"));
  }
}

// Terminal value under a constant hazard with no covariates: every survivor is worth
// m r d^T / (1 - d (1 - p)), so the sum is active_T times that, up to summation order (the sums are
// in 2^-32 fixed point).
TEST(BaseOverTime, TerminalValueMatchesThePerpetuity) {
  const auto r = run_text(base_scenario(R"("horizon_periods": 100, "replications": 2, "population": {"customers": 5000},
      "economics": {"annual_discount_rate": 0.08, "gross_margin": 0.7},)",
                                        R"("revenue_per_period": 2, "hazard": {"base": 0.002})"));
  const double d = std::pow(1.08, -1.0 / 365.0), p = -std::expm1(-0.002);
  const double each = 0.7 * 2.0 * std::pow(d, 100) / (1.0 - d * (1.0 - p));
  for (const auto& rep : r.replications) {
    const double active = rep.metrics.at("customers_end");
    EXPECT_NEAR(rep.metrics.at("terminal_value"), active * each, 1e-9 * active * each);
    EXPECT_NEAR(rep.metrics.at("margin"), 0.7 * rep.metrics.at("revenue"), 1e-9 * rep.metrics.at("revenue"));
    EXPECT_NEAR(rep.metrics.at("net_value_lifetime"), rep.metrics.at("margin") + rep.metrics.at("terminal_value"),
                1e-9 * rep.metrics.at("terminal_value"));
    EXPECT_NEAR(rep.metrics.at("clv_lifetime") * 5000.0, rep.metrics.at("margin") + rep.metrics.at("terminal_value"),
                1e-12 * rep.metrics.at("terminal_value"));
    EXPECT_TRUE(std::isnan(rep.metrics.at("clv_joiners")));  // nobody joined
  }
}

// With constant covariates clv_lifetime does not depend on the horizon (the perpetuity identity:
// the margin of the periods run plus the terminal value of the survivors is every customer's
// expected discounted margin), with and without frailty; without frailty it is m r / (1 - d q).
class LifetimeValue : public ::testing::TestWithParam<double> {};

TEST_P(LifetimeValue, DoesNotDependOnTheHorizon) {
  const double v = GetParam();
  const std::string segment =
      R"("revenue_per_period": 2, "hazard": {"base": 0.004, "frailty_variance": )" + std::to_string(v) + "}";
  const std::string money = R"("population": {"customers": 10000}, "replications": 8,
      "economics": {"annual_discount_rate": 0.08, "gross_margin": 0.6},)";
  const auto one = run_text(base_scenario(R"("horizon_periods": 1, )" + money, segment));
  const auto year = run_text(base_scenario(R"("horizon_periods": 365, )" + money, segment));
  const double a = metric_mean(one, "clv_lifetime"), b = metric_mean(year, "clv_lifetime");
  const double se = std::sqrt((metric_variance(one, "clv_lifetime") + metric_variance(year, "clv_lifetime")) / 8.0);
  EXPECT_GT(se, 0.0);
  EXPECT_NEAR(a, b, 4.0 * se);
  if (v == 0.0) {
    const double d = std::pow(1.08, -1.0 / 365.0), q = std::exp(-0.004);
    EXPECT_NEAR(b, 0.6 * 2.0 / (1.0 - d * q), 4.0 * std::sqrt(metric_variance(year, "clv_lifetime") / 8.0));
  }
}

INSTANTIATE_TEST_SUITE_P(Frailty, LifetimeValue, ::testing::Values(0.0, 1.0));

// clv_joiners: a joiner's lifetime value when it joins. With one identical joiner cohort per period
// and a constant hazard without frailty, every joiner is worth m r / (1 - d q) at joining, like an
// initial customer (clv_lifetime).
TEST(BaseOverTime, JoinerLifetimeValueIsTheLifetimeValueAtJoining) {
  const auto r = run_text(base_scenario(R"("horizon_periods": 200, "replications": 8,
      "population": {"customers": 5000, "acquisition": 50},
      "economics": {"annual_discount_rate": 0.08, "gross_margin": 0.6},)",
                                        R"("revenue_per_period": 2, "hazard": {"base": 0.004})"));
  const double d = std::pow(1.08, -1.0 / 365.0), q = std::exp(-0.004);
  const double expected = 0.6 * 2.0 / (1.0 - d * q);
  EXPECT_NEAR(metric_mean(r, "clv_joiners"), expected, 4.0 * std::sqrt(metric_variance(r, "clv_joiners") / 8.0));
  EXPECT_NEAR(metric_mean(r, "clv_lifetime"), expected, 4.0 * std::sqrt(metric_variance(r, "clv_lifetime") / 8.0));
}

// Lifetime figures need discounting: with a rate of 0 they are null, with a warning.
TEST(BaseOverTime, UndiscountedLifetimeFiguresAreNull) {
  std::vector<cxsim::Diagnostic> warnings;
  const cxsim::Scenario s = cxsim::parse_scenario(
      base_scenario(R"("horizon_periods": 10, "replications": 2, "population": {"customers": 100},
          "economics": {"annual_discount_rate": 0},)",
                    R"("revenue_per_period": 1, "hazard": {"base": 0.01})"),
      "undiscounted.json", &warnings);
  ASSERT_FALSE(warnings.empty());
  EXPECT_EQ(warnings[0].pointer, "/economics/annual_discount_rate");  // (and the journey's loop without exit)
  const cxsim::RunResult r = cxsim::run_simulation(s);
  for (const char* name : {"terminal_value", "clv_lifetime", "net_value_lifetime"}) {
    EXPECT_TRUE(std::isnan(r.replications[0].metrics.at(name))) << name;
  }
  EXPECT_FALSE(std::isnan(r.replications[0].metrics.at("clv")));
}

// The memory check counts the largest base a run can hold: the initial customers, every scheduled
// joiner and a bound on referrals that join (each customer referring at the largest rate every
// period), and says so.
TEST(BaseOverTime, MemoryCheckCountsTheLargestBase) {
  const auto model = [](const std::string& population, const std::string& segment) {
    return cxsim::compile_model(cxsim::parse_scenario(
        base_scenario(R"("horizon_periods": 100, "warmup_periods": 10, )" + population + ",", segment), "m.json"));
  };
  const cxsim::Model closed = model(R"("population": {"customers": 1000})", R"("hazard": {"base": 0.001})");
  const cxsim::Model open = model(R"("population": {"customers": 1000, "acquisition": 100})", R"("hazard": {"base": 0.001})");
  const cxsim::Model referring = model(R"("population": {"customers": 1000, "referrals_join": true})",
                                       R"("referral_rate": 0.01, "hazard": {"base": 0.001})");
  EXPECT_EQ(closed.max_customers(), 1000u);
  EXPECT_EQ(open.max_customers(), 1000u + 110u * 100u);
  double bound = 1000.0;  // referrals of period t join in t + 1: bound <- bound + ceil(0.01 bound)
  for (int t = 1; t < 110; ++t) bound += std::ceil(bound * 0.01);
  EXPECT_EQ(referring.max_customers(), static_cast<std::uint64_t>(bound));
  EXPECT_GE(cxsim::estimate_memory_bytes(open, 1),
            cxsim::estimate_memory_bytes(closed, 1) + 11000u * cxsim::state_bytes_per_customer(open));
  try {
    cxsim::check_memory("m.json", open, 1, cxsim::estimate_memory_bytes(open, 1) - 1);
    FAIL() << "accepted";
  } catch (const cxsim::InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_NE(e.diagnostics()[0].message.find("12000 customers at most: 1000 initial, 11000 joining by acquisition"),
              std::string::npos)
        << e.diagnostics()[0].message;
  }
}
