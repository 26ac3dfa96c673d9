// Reactive service against closed forms: Erlang C waits, abandonment P(W > patience), FCR,
// fluid backlog growth, unlimited channels, agent costs. Expectations are conditional on each
// period's realised demand N_t (from the result's own series), which is all the queue model sees.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "queue.hpp"
#include "sim_helpers.hpp"

using cxsim::testing::metric_mean;
using cxsim::testing::run_text;

namespace {

std::string one_channel(const std::string& channel, const std::string& segment_extra, int horizon = 60,
                        int customers = 20000) {
  return R"({"name": "service", "seed": 11, "horizon_periods": )" + std::to_string(horizon) +
         R"(, "replications": 3, "population": {"customers": )" + std::to_string(customers) + R"(},
    "segments": {"all": {"share": 1, "contact_propensity": 1, )" +
         segment_extra + R"(}},
    "journey": {"entry": "home", "touchpoints": {"home": {"failure": 0.01, "next": {"home": 1}}}},
    "service": {"channels": {"desk": )" +
         channel + "}}}";
}

struct Expectation {
  double wait_sum = 0.0, wait_var = 0.0;        // sum over contacts of E[W] and Var[W] (all contacts)
  double abandon_sum = 0.0, abandon_var = 0.0;  // sum of P(abandon) and its Bernoulli variance
};

// Per period: Erlang C plan from the realised N_t; W = 0 w.p. 1 - C, else Exp(mu);
// patience ~ Exp(m): P(W > patience) = C mu / (mu + m).
Expectation erlang_expectation(const cxsim::RunResult& r, int agents, double aht, double hours, double patience) {
  Expectation e;
  for (const auto& rep : r.replications) {
    const auto& tickets = rep.series.at("tickets.desk");
    for (double n : tickets) {
      if (n == 0) continue;
      cxsim::QueueInput in;
      in.agents = agents;
      in.aht_minutes = aht;
      in.hours_per_period = hours;
      in.arrivals = n;
      const cxsim::QueuePeriod q = cxsim::plan_queue_period(in);
      EXPECT_EQ(q.regime, cxsim::QueueRegime::kErlangC) << "N=" << n;
      const double c = q.p_wait, mu = q.mean_positive_wait_minutes;
      e.wait_sum += n * c * mu;
      e.wait_var += n * (2.0 * c * mu * mu - c * mu * c * mu);
      const double pa = c * mu / (mu + patience);
      e.abandon_sum += n * pa;
      e.abandon_var += n * pa * (1 - pa);
    }
  }
  return e;
}

double channel_total(const cxsim::RunResult& r, const std::string& count) {
  double s = 0.0;
  for (const auto& rep : r.replications) s += rep.channels.at("desk").values.at(count);
  return s;
}

}  // namespace

TEST(Service, MeanWaitMatchesErlangC) {
  const auto r =
      run_text(one_channel(R"({"share": 1, "agents": 8, "aht_minutes": 10, "hours_per_period": 8, "fcr": 0.7})",
                           R"("patience_minutes": 1e9)"));
  const Expectation e = erlang_expectation(r, 8, 10, 8, 1e9);
  double simulated = 0.0;
  for (const auto& rep : r.replications)
    simulated += rep.metrics.at("frt_minutes") * rep.channels.at("desk").values.at("handled");
  ASSERT_GT(channel_total(r, "handled"), 20000);
  EXPECT_EQ(channel_total(r, "abandoned"), 0);
  EXPECT_NEAR(simulated, e.wait_sum, 5.0 * std::sqrt(e.wait_var));
  // Utilization is min(1, A/c) averaged over periods with equal staffing.
  EXPECT_GT(metric_mean(r, "utilization"), 0.5);
  EXPECT_LT(metric_mean(r, "utilization"), 1.0);
  EXPECT_NEAR(metric_mean(r, "aht_minutes"), 10.0, 1e-12);
}

TEST(Service, RealisedFcrMatchesConfigured) {
  const auto r =
      run_text(one_channel(R"({"share": 1, "agents": 6, "aht_minutes": 10, "hours_per_period": 8, "fcr": 0.7})",
                           R"("patience_minutes": 1e9)"));
  double first = 0.0, resolved_first = 0.0;
  for (const auto& rep : r.replications) {
    first += rep.metrics.at("first_contacts");
    resolved_first += rep.metrics.at("fcr") * rep.metrics.at("first_contacts");
  }
  EXPECT_NEAR(resolved_first / first, 0.7, 5.0 * std::sqrt(0.21 / first));
  // Repeat contacts: unresolved issues come back, so there are more contacts than issues.
  EXPECT_GT(channel_total(r, "contacts"), first * 1.2);
}

TEST(Service, AbandonmentMatchesProbabilityWaitExceedsPatience) {
  const auto r =
      run_text(one_channel(R"({"share": 1, "agents": 7, "aht_minutes": 10, "hours_per_period": 8, "fcr": 1})",
                           R"("patience_minutes": 5)", 20));
  // A short horizon: with 5-minute patience abandoned issues retry every period, so demand creeps
  // up and, past capacity, the fluid regime's long waits make nearly everyone abandon (a retrial
  // spiral the mean-field model reproduces). Twenty periods stay in the Erlang C regime.
  const Expectation e = erlang_expectation(r, 7, 10, 8, 5);
  const double abandoned = channel_total(r, "abandoned");
  ASSERT_GT(abandoned, 100);
  EXPECT_NEAR(abandoned, e.abandon_sum, 5.0 * std::sqrt(e.abandon_var));
}

TEST(Service, OverloadedBacklogGrowsByDemandMinusCapacity) {
  const auto r =
      run_text(one_channel(R"({"share": 1, "agents": 1, "aht_minutes": 10, "hours_per_period": 8, "fcr": 1})",
                           R"("patience_minutes": 1e12)", 20, 20000));
  const double capacity = 1 * 8 * 60 / 10.0;
  for (const auto& rep : r.replications) {
    const auto& n = rep.series.at("tickets.desk");
    const auto& b = rep.series.at("backlog.desk");
    EXPECT_EQ(n[0], 0.0);
    EXPECT_EQ(b[0], 0.0);
    for (std::size_t t = 1; t < n.size(); ++t) {
      ASSERT_GT(n[t], capacity);
      EXPECT_DOUBLE_EQ(b[t], b[t - 1] + n[t] - capacity) << "period " << t;
    }
    EXPECT_EQ(rep.metrics.at("utilization") > 0.9, true);
  }
  // Fluid waits grow with the backlog: the mean answered wait is many periods' worth of minutes.
  EXPECT_GT(metric_mean(r, "frt_minutes"), 8 * 60);
  EXPECT_GT(metric_mean(r, "frt_p90_minutes"), metric_mean(r, "frt_minutes"));
}

TEST(Service, UnlimitedChannelNeverWaits) {
  const auto r = run_text(one_channel(R"({"share": 1, "agents": null, "fcr": 0.5})", R"("patience_minutes": 0.001)"));
  EXPECT_EQ(channel_total(r, "abandoned"), 0.0);
  EXPECT_GT(channel_total(r, "contacts"), 1000.0);
  EXPECT_TRUE(std::isnan(metric_mean(r, "frt_minutes")));  // no staffed channel
  EXPECT_EQ(metric_mean(r, "abandonment"), 0.0);
}

TEST(Service, ClosedChannelAbandonsEveryContact) {
  const auto r = run_text(one_channel(R"({"share": 1, "agents": 0})", R"("patience_minutes": 5)", 20, 2000));
  EXPECT_GT(channel_total(r, "contacts"), 100.0);
  EXPECT_EQ(channel_total(r, "abandoned"), channel_total(r, "contacts"));
  EXPECT_EQ(metric_mean(r, "abandonment"), 1.0);
  EXPECT_EQ(channel_total(r, "resolved"), 0.0);
}

TEST(Service, AgentAndContactCostsAreDiscounted) {
  const auto r = run_text(one_channel(
      R"({"share": 1, "agents": 5, "aht_minutes": 10, "cost_per_agent_period": 100, "cost_per_contact": 2})",
      R"("patience_minutes": 1e9)", 30, 2000));
  const double d = std::pow(1.08, -1.0 / 365.0);
  double agents = 0.0;
  for (int t = 0; t < 30; ++t) agents += 500.0 * std::pow(d, t);
  for (const auto& rep : r.replications) {
    double contacts_discounted = 0.0;
    const auto& n = rep.series.at("tickets.desk");
    for (int t = 0; t < 30; ++t) contacts_discounted += 2.0 * n[t] * std::pow(d, t);
    EXPECT_NEAR(rep.metrics.at("service_cost"), agents + contacts_discounted, 1e-6);
    EXPECT_NEAR(rep.metrics.at("net_value"), rep.metrics.at("revenue") - rep.metrics.at("service_cost"), 1e-6);
    EXPECT_NEAR(rep.channels.at("desk").values.at("cost"),
                30 * 500.0 + 2.0 * rep.channels.at("desk").values.at("contacts"), 1e-9);
  }
}

TEST(Service, CsatAndCesAreScoredPerContact) {
  // Perfect service: quality 1, resolved, no wait -> q = 1 (clamped) -> CSAT 5; effort 0 + 0 + 0 -> CES 1.
  const auto r = run_text(one_channel(R"({"share": 1, "agents": null, "fcr": 1, "quality": {"mean": 1, "sd": 0}})",
                                      R"("patience_minutes": 10)", 30, 2000));
  EXPECT_EQ(metric_mean(r, "csat"), 100.0);
  EXPECT_EQ(metric_mean(r, "ces"), 1.0);
  EXPECT_EQ(metric_mean(r, "fcr"), 1.0);
  EXPECT_NEAR(metric_mean(r, "art_periods"), 1.0, 1e-12);  // failure in t, contact and fix in t + 1
}
