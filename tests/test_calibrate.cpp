// Calibration (`cxsim calibrate`, cxsim/calibrate.hpp): the published Fader and Hardie (2007)
// benchmark against an independent maximum-likelihood fit, parameter recovery from simulated
// targets, and the warnings for parameters on a bound or not identified. Populations are small and
// seeds fixed; every tolerance is a multiple of a standard error the calibration reports or the test
// computes.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli_helpers.hpp"
#include "cxsim/calibrate.hpp"
#include "cxsim/runner.hpp"
#include "cxsim/stats.hpp"

namespace {

using cxsim::testing::TempDir;
using cxsim::testing::write_file;

const std::string kCalibrationDir = CXSIM_SOURCE_DIR "/scenarios/calibration";

// Fader and Hardie (2007), Table 1: % of each cohort still subscribed after years 0 to 12.
constexpr std::array<double, 13> kRegular = {100,  63.1, 46.8, 38.2, 32.6, 28.9, 26.2,
                                             24.1, 22.3, 20.7, 19.4, 18.3, 17.3};
constexpr std::array<double, 13> kHighEnd = {100,  86.9, 74.3, 65.3, 59.3, 55.1, 51.7,
                                             49.1, 46.8, 44.5, 42.7, 40.9, 39.4};
constexpr int kCohortSize = 1000;  // customers per cohort in the study
constexpr int kFittedYears = 7;

// MODEL.md's retention curve with constant covariates and gamma frailty: S(t) = (1 + v b t)^(-1/v).
double survival(double t, double b, double v) { return std::pow(1.0 + v * b * t, -1.0 / v); }

// Nelder-Mead (1965) on a smooth function of two variables: enough for a likelihood with one optimum.
std::array<double, 2> nelder_mead(const std::function<double(const std::array<double, 2>&)>& f,
                                  std::array<double, 2> start) {
  std::array<std::array<double, 2>, 3> x = {start, start, start};
  x[1][0] += 0.2;
  x[2][1] += 0.2;
  std::array<double, 3> fx = {f(x[0]), f(x[1]), f(x[2])};
  for (int iteration = 0; iteration < 2000; ++iteration) {
    std::array<int, 3> order = {0, 1, 2};
    std::sort(order.begin(), order.end(), [&](int a, int b) { return fx[a] < fx[b]; });
    const auto best = x[order[0]], mid = x[order[1]], worst = x[order[2]];
    const double f_best = fx[order[0]], f_mid = fx[order[1]], f_worst = fx[order[2]];
    x = {best, mid, worst};
    fx = {f_best, f_mid, f_worst};
    if (f_worst - f_best < 1e-13) break;
    const std::array<double, 2> centre = {(best[0] + mid[0]) / 2, (best[1] + mid[1]) / 2};
    const auto along = [&](double t) {
      return std::array<double, 2>{centre[0] + t * (worst[0] - centre[0]), centre[1] + t * (worst[1] - centre[1])};
    };
    const auto reflected = along(-1.0);
    const double f_reflected = f(reflected);
    if (f_reflected < f_best) {
      const auto expanded = along(-2.0);
      const double f_expanded = f(expanded);
      x[2] = f_expanded < f_reflected ? expanded : reflected;
      fx[2] = std::min(f_expanded, f_reflected);
    } else if (f_reflected < f_mid) {
      x[2] = reflected;
      fx[2] = f_reflected;
    } else {
      const auto contracted = along(0.5);
      const double f_contracted = f(contracted);
      if (f_contracted < f_worst) {
        x[2] = contracted;
        fx[2] = f_contracted;
      } else {
        for (int i = 1; i < 3; ++i) {
          x[i] = {(x[i][0] + best[0]) / 2, (x[i][1] + best[1]) / 2};
          fx[i] = f(x[i]);
        }
      }
    }
  }
  return fx[0] <= fx[1] && fx[0] <= fx[2] ? x[0] : fx[1] <= fx[2] ? x[1] : x[2];
}

struct MaximumLikelihood {
  double b, v;                // estimates
  double se_log_b, se_log_v;  // from the observed information, on the log scale
};

// The exact grouped likelihood of years 1-7: of n customers, n (S(t-1) - S(t)) leave in year t and
// n S(7) are still there, with S the closed form above; maximised over (log b, log v).
MaximumLikelihood fit_maximum_likelihood(const std::array<double, 13>& percent) {
  const auto negative_log_likelihood = [&](const std::array<double, 2>& u) {
    const double b = std::exp(u[0]), v = std::exp(u[1]);
    double ll = 0.0;
    for (int t = 1; t <= kFittedYears; ++t) {
      const double lost = kCohortSize * (percent[t - 1] - percent[t]) / 100.0;
      ll += lost * std::log(survival(t - 1, b, v) - survival(t, b, v));
    }
    ll += kCohortSize * percent[kFittedYears] / 100.0 * std::log(survival(kFittedYears, b, v));
    return -ll;
  };
  const std::array<double, 2> u = nelder_mead(negative_log_likelihood, {std::log(0.5), 0.0});
  // Observed information by central differences; its inverse is the covariance of (log b, log v).
  const double h = 1e-4;
  const auto second = [&](int i, int j) {
    const auto at = [&](double di, double dj) {
      std::array<double, 2> w = u;
      w[i] += di;
      w[j] += dj;
      return negative_log_likelihood(w);
    };
    return (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h);
  };
  const double a = second(0, 0), c = second(1, 1), off = second(0, 1), det = a * c - off * off;
  return {std::exp(u[0]), std::exp(u[1]), std::sqrt(c / det), std::sqrt(a / det)};
}

const cxsim::ParameterEstimate& estimate_of(const cxsim::CalibrationResult& r, const std::string& pointer) {
  for (const auto& e : r.parameters) {
    if (e.parameter.pointer == pointer) return e;
  }
  throw std::runtime_error("no parameter " + pointer);
}

double series_mean(const cxsim::RunResult& r, const std::string& name, int period) {
  double sum = 0.0;
  for (const auto& rep : r.replications) sum += rep.series.at(name).at(static_cast<std::size_t>(period));
  return sum / static_cast<double>(r.replications.size());
}

constexpr const char* kBase = "/segments/subscribers/hazard/base";
constexpr const char* kFrailty = "/segments/subscribers/hazard/frailty_variance";

void check_fader_hardie(const std::string& spec_file, const std::array<double, 13>& percent) {
  cxsim::CalibrationOverrides small;
  small.run.customers = 40000;  // Monte Carlo noise about a sixth of the study's binomial sd
  small.run.replications = 2;
  const cxsim::CalibrationSpec spec = cxsim::load_calibration_spec(kCalibrationDir + "/" + spec_file, small);
  cxsim::CalibrationOptions options;
  options.threads = 2;
  const cxsim::CalibrationResult r = cxsim::calibrate(spec, options);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();

  // The calibrated base and frailty variance match the independent maximum-likelihood fit within
  // the calibration's reported standard errors (both fits use the cohort's binomial law), and the
  // reported errors match the likelihood's own (observed information) within 25%.
  const MaximumLikelihood ml = fit_maximum_likelihood(percent);
  const cxsim::ParameterEstimate& b = estimate_of(r, kBase);
  const cxsim::ParameterEstimate& v = estimate_of(r, kFrailty);
  const double se_log_b = b.se / b.estimate, se_log_v = v.se / v.estimate;
  EXPECT_LT(std::fabs(std::log(b.estimate / ml.b)), se_log_b) << b.estimate << " vs ML " << ml.b;
  EXPECT_LT(std::fabs(std::log(v.estimate / ml.v)), se_log_v) << v.estimate << " vs ML " << ml.v;
  EXPECT_NEAR(se_log_b / ml.se_log_b, 1.0, 0.25);
  EXPECT_NEAR(se_log_v / ml.se_log_v, 1.0, 0.25);

  // Years 8-12 projected by the fitted scenario (the check run on fresh replications): the engine
  // agrees with the closed form at the estimates within 4 Monte Carlo standard errors, and the
  // published shares lie within 2 standard errors of the projection (delta method through the
  // estimates' covariance, plus the cohort's own binomial noise).
  const double rho = r.correlation[0][1];
  std::printf("%s: b = %.4f (SE %.4f; ML %.4f), v = %.4f (SE %.4f; ML %.4f)\n", spec_file.c_str(), b.estimate, b.se,
              ml.b, v.estimate, v.se, ml.v);
  for (int year = kFittedYears + 1; year <= 12; ++year) {
    const double projected = series_mean(r.check_run, "retention", year - 1);
    const double closed = survival(year, b.estimate, v.estimate);
    const double n = static_cast<double>(spec.base.population.customers) * r.check_run.replications.size();
    EXPECT_NEAR(projected, closed, 4.0 * std::sqrt(closed * (1 - closed) / n)) << "year " << year;
    const double h = 1e-6;
    const double d_log_b = (survival(year, b.estimate * std::exp(h), v.estimate) - closed) / h;
    const double d_log_v = (survival(year, b.estimate, v.estimate * std::exp(h)) - closed) / h;
    const double var = d_log_b * d_log_b * se_log_b * se_log_b + d_log_v * d_log_v * se_log_v * se_log_v +
                       2 * rho * d_log_b * d_log_v * se_log_b * se_log_v + closed * (1 - closed) / kCohortSize;
    const double published = percent[static_cast<std::size_t>(year)] / 100.0;
    EXPECT_LT(std::fabs(projected - published), 2.0 * std::sqrt(var)) << "year " << year;
    std::printf("  year %2d: published %.1f%%, projected %.1f%% (error %+.2f points, SE %.2f), ML %.1f%%\n", year,
                100 * published, 100 * projected, 100 * (projected - published), 100 * std::sqrt(var),
                100 * survival(year, ml.b, ml.v));
  }
}

}  // namespace

TEST(CalibrateFaderHardie, RegularCohortMatchesMaximumLikelihoodAndProjectsYears8To12) {
  check_fader_hardie("fader_hardie_regular.json", kRegular);
}

TEST(CalibrateFaderHardie, HighEndCohortMatchesMaximumLikelihoodAndProjectsYears8To12) {
  check_fader_hardie("fader_hardie_high_end.json", kHighEnd);
}

// ---- Parameter recovery ----------------------------------------------------------------------------

namespace {

// A small base with three parameters that move different metrics: the hazard base (retention), the
// quality of the daily routine (NPS, since sentiment follows experience, and retention through the
// sentiment coefficient) and the bill's failure rate (tickets, through the issues it opens). Truth:
// 0.003, 0.5, 0.12.
const char* kRecoveryScenario = R"({"name": "recovery", "seed": 11, "horizon_periods": 24, "replications": 2,
  "population": {"customers": 1500},
  "segments": {"a": {"share": 1, "initial_sentiment": {"mean": 0.4, "sd": 0.2}, "contact_propensity": 0.5,
                     "hazard": {"base": 0.003, "frailty_variance": 0.3}}},
  "journey": {"entry": "use", "touchpoints": {
    "use": {"quality": {"mean": 0.5, "sd": 0.2}, "next": {"use": 9, "bill": 1}},
    "bill": {"quality": {"mean": 0.4, "sd": 0.2}, "failure": 0.12, "next": {"use": 1}}}},
  "service": {"channels": {"self": {"share": 1, "fcr": 0.7}}},
  "churn": {"sentiment": -1.5, "open_issue": 0.5, "bad_experiences": 0.3, "effort": 0},
  "nps": {"report_every": 30}})";

struct Truth {
  const char* pointer;
  double value;
};
constexpr std::array<Truth, 3> kTruth = {{{"/segments/a/hazard/base", 0.003},
                                          {"/journey/touchpoints/use/quality/mean", 0.5},
                                          {"/journey/touchpoints/bill/failure", 0.12}}};

// The SPEC: the three parameters started away from the truth, and metric targets with their values
// and sd as given.
std::string recovery_spec(const std::vector<std::array<double, 2>>& observed) {
  const std::array<const char*, 3> metrics = {"retention", "nps", "tickets_per_period"};
  std::string targets;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    targets += fmt::format("{}{{\"metric\": \"{}\", \"value\": {}, \"sd\": {}}}", i == 0 ? "" : ", ", metrics[i],
                           observed[i][0], observed[i][1]);
  }
  return fmt::format(R"({{"base": "base.json",
    "parameters": {{"/segments/a/hazard/base": {{"min": 0.0003, "max": 0.03, "scale": "log", "start": 0.009}},
                    "/journey/touchpoints/use/quality/mean": {{"min": -0.2, "max": 0.9, "start": 0.2}},
                    "/journey/touchpoints/bill/failure": {{"min": 0.01, "max": 0.5, "start": 0.3}}}},
    "targets": [{}], "replications": 8, "check_replications": 8, "max_evaluations": 50}})",
                     targets);
}

// The three target metrics of `s`, each with the sd of its values over `s`'s replications (the
// sampling uncertainty of one observed business of that size). The value is replication 0's (one
// observed business), or with `mean` the mean over the replications.
std::vector<std::array<double, 2>> observe(const cxsim::Scenario& s, bool mean = false) {
  cxsim::RunOptions o;
  o.threads = 2;
  const cxsim::RunResult r = cxsim::run_simulation(s, o);
  std::vector<std::array<double, 2>> out;
  for (const char* metric : {"retention", "nps", "tickets_per_period"}) {
    std::vector<double> values;
    for (const auto& rep : r.replications) values.push_back(rep.metrics.at(metric));
    const cxsim::Summary summary = cxsim::summarize(values);
    out.push_back({mean ? summary.mean : values.front(), *summary.sd});
  }
  return out;
}

cxsim::CalibrationResult calibrate_text(const TempDir& dir, const std::string& spec_text) {
  write_file(dir.path() / "spec.json", spec_text);
  const cxsim::CalibrationSpec spec = cxsim::load_calibration_spec((dir.path() / "spec.json").string());
  cxsim::CalibrationOptions options;
  options.threads = 2;
  return cxsim::calibrate(spec, options);
}

}  // namespace

// The honest version: the targets are one independent replication of the truth (another seed: one
// observed business of the same size), each with the sd of such an observation (over 24 independent
// replications). The fit simulates 8 replications, so its own Monte Carlo noise is a third of the
// targets'. The estimates must lie within 2.5 reported standard errors of the truth (the reported
// errors cover both the targets' noise and the fit's own).
TEST(CalibrateRecovery, RecoversKnownParametersWithinTheirStandardErrors) {
  TempDir dir("calibrate");
  write_file(dir.path() / "base.json", kRecoveryScenario);
  cxsim::Scenario truth = cxsim::load_scenario((dir.path() / "base.json").string());
  truth.seed = 977;
  truth.replications = 24;
  const cxsim::CalibrationResult r = calibrate_text(dir, recovery_spec(observe(truth)));
  for (const Truth& t : kTruth) {
    const cxsim::ParameterEstimate& e = estimate_of(r, t.pointer);
    std::printf("%s: truth %.4g, estimate %.4g, SE %.3g (z = %+.2f)\n", t.pointer, t.value, e.estimate, e.se,
                (e.estimate - t.value) / e.se);
    EXPECT_LT(std::fabs(e.estimate - t.value), 2.5 * e.se) << t.pointer;
    EXPECT_GT(e.se, 0.0) << t.pointer;
  }
  std::printf("%d evaluations, %d for the Jacobians\n", r.evaluations, r.jacobian_evaluations);
  for (const cxsim::TargetFit& t : r.targets) EXPECT_LT(std::fabs(t.residual), 3.0) << t.target.name;
  // No parameter on a bound or unidentified, no target missed, converged. (Advice that the Monte Carlo
  // noise is large may appear: the fit's noise is a third of the targets' sd by design, and that ratio
  // is estimated from 8 replications.)
  for (const std::string& w : r.warnings) EXPECT_EQ(w.rfind("the Monte Carlo noise of target", 0), 0u) << w;
}

// Targets from the fit's own seed and replications: under common random numbers the objective is 0
// at the truth, so the optimiser must land on it, far inside one standard error.
TEST(CalibrateRecovery, SameRandomNumbersGiveTheTruthBack) {
  TempDir dir("calibrate");
  write_file(dir.path() / "base.json", kRecoveryScenario);
  cxsim::Scenario truth = cxsim::load_scenario((dir.path() / "base.json").string());
  truth.replications = 8;  // the SPEC's fit replications, same seed: the means the fit sees at the truth
  const cxsim::CalibrationResult r = calibrate_text(dir, recovery_spec(observe(truth, /*mean=*/true)));
  EXPECT_LT(r.objective, 1e-2) << r.starts.front().stop << " after " << r.evaluations << " evaluations";
  for (const Truth& t : kTruth) {
    const cxsim::ParameterEstimate& e = estimate_of(r, t.pointer);
    EXPECT_LT(std::fabs(e.estimate - t.value), 0.2 * e.se) << t.pointer << " estimate " << e.estimate;
  }
}

// ---- Warnings ----------------------------------------------------------------------------------------

namespace {

// The Fader-Hardie cohort, small, with the Regular cohort's first three years as targets.
std::string cohort_spec(const std::string& parameters) {
  return fmt::format(R"({{"base": "{}/fader_hardie_cohort.json", "parameters": {{{}}},
    "targets": [{{"series": "retention", "period": 0, "value": 0.631, "cohort_size": 1000}},
                {{"series": "retention", "period": 1, "value": 0.468, "cohort_size": 1000}},
                {{"series": "retention", "period": 2, "value": 0.382, "cohort_size": 1000}}],
    "customers": 5000, "replications": 2, "max_evaluations": 30}})",
                     kCalibrationDir, parameters);
}

bool has_warning(const cxsim::CalibrationResult& r, const std::string& text) {
  return std::any_of(r.warnings.begin(), r.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

}  // namespace

TEST(CalibrateWarnings, ParameterOnItsBound) {
  TempDir dir("calibrate");
  // The Regular cohort needs a base near 0.66; the range stops at 0.3.
  const cxsim::CalibrationResult r =
      calibrate_text(dir, cohort_spec(R"("/segments/subscribers/hazard/base": {"min": 0.01, "max": 0.3, "scale": "log"},
                          "/segments/subscribers/hazard/frailty_variance": {"min": 0.01, "max": 10, "scale": "log"})"));
  const cxsim::ParameterEstimate& b = estimate_of(r, kBase);
  EXPECT_TRUE(b.at_upper);
  EXPECT_FALSE(b.at_lower);
  EXPECT_DOUBLE_EQ(b.estimate, 0.3);
  EXPECT_TRUE(has_warning(r, std::string(kBase) + " ended on its upper bound 0.3"))
      << testing::PrintToString(r.warnings);
  EXPECT_FALSE(estimate_of(r, kFrailty).at_lower || estimate_of(r, kFrailty).at_upper);
}

TEST(CalibrateWarnings, ParameterNoTargetDependsOnIsNotIdentified) {
  TempDir dir("calibrate");
  const cxsim::CalibrationResult r =
      calibrate_text(dir, cohort_spec(R"("/segments/subscribers/hazard/base": {"min": 0.01, "max": 3, "scale": "log"},
                          "/segments/subscribers/revenue_per_period": {"min": 0, "max": 10})"));
  EXPECT_TRUE(has_warning(r, "/segments/subscribers/revenue_per_period is not identified: no target moves with it"))
      << testing::PrintToString(r.warnings);
  EXPECT_TRUE(has_warning(r, "the parameters are not identified by the targets")) << testing::PrintToString(r.warnings);
  for (const auto& e : r.parameters) EXPECT_TRUE(std::isnan(e.se)) << e.parameter.pointer;
}

// Two parameters and one target: the load warns, and the fit cannot tell the parameters apart.
TEST(CalibrateWarnings, MoreParametersThanTargetsAreNotIdentified) {
  TempDir dir("calibrate");
  write_file(dir.path() / "two.json", R"({"name": "two segments", "seed": 5, "horizon_periods": 12,
    "replications": 2, "population": {"customers": 5000},
    "segments": {"a": {"share": 0.5, "hazard": {"base": 0.3}}, "b": {"share": 0.5, "hazard": {"base": 0.3}}},
    "journey": {"entry": "x", "touchpoints": {"x": {"next": {"x": 1}}}},
    "churn": {"sentiment": 0, "open_issue": 0, "bad_experiences": 0, "effort": 0}})");
  write_file(dir.path() / "spec.json", R"({"base": "two.json",
    "parameters": {"/segments/a/hazard/base": {"min": 0.01, "max": 3, "scale": "log"},
                   "/segments/b/hazard/base": {"min": 0.01, "max": 3, "scale": "log"}},
    "targets": [{"series": "retention", "period": 0, "value": 0.6, "sd": 0.01}], "max_evaluations": 30})");
  std::vector<cxsim::Diagnostic> load_warnings;
  const cxsim::CalibrationSpec spec =
      cxsim::load_calibration_spec((dir.path() / "spec.json").string(), {}, &load_warnings);
  EXPECT_TRUE(std::any_of(load_warnings.begin(), load_warnings.end(), [](const cxsim::Diagnostic& d) {
    return d.pointer == "/targets" && d.message.find("1 targets for 2 parameters") != std::string::npos;
  }));
  const cxsim::CalibrationResult r = cxsim::calibrate(spec);
  EXPECT_TRUE(has_warning(r, "the parameters are not identified by the targets")) << testing::PrintToString(r.warnings);
  // The one target is still met.
  EXPECT_LT(std::fabs(r.targets[0].fit_mean - 0.6), 0.01);
}
