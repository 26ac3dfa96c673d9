// The one number formatter every reporter uses (report_document.hpp): a unit for every metric cxsim
// reports or will report, and values that never show an exponent.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cxsim/report.hpp"
#include "cxsim/results.hpp"
#include "report_document.hpp"

namespace {

using cxsim::format_metric;
using cxsim::format_value;
using cxsim::Unit;
using cxsim::unit_of;

// Every metric a run reports today, and those MODEL.md's version 2 adds, has a unit (none is a
// plain number, so the CSV unit column and the HTML table never leave one unexplained).
TEST(Units, EveryReportedMetricHasAUnit) {
  std::vector<std::string> names = cxsim::reported_metric_names();
  for (const char* v2 : {"service_level", "customers_end", "margin", "terminal_value", "clv_lifetime",
                         "net_value_lifetime", "backlog_wait_hours"}) {
    names.push_back(v2);
  }
  for (const auto& name : names) EXPECT_NE(unit_of(name), Unit::kPlain) << name;
}

TEST(Units, NamedUnits) {
  EXPECT_EQ(unit_of("service_level"), Unit::kFraction);
  EXPECT_EQ(unit_of("abandonment"), Unit::kFraction);
  EXPECT_EQ(unit_of("exit_churned"), Unit::kFraction);
  for (const char* money : {"margin", "terminal_value", "clv_lifetime", "net_value_lifetime", "clv", "revenue",
                            "service_cost", "referral_value"}) {
    EXPECT_EQ(unit_of(money), Unit::kMoney) << money;
  }
  EXPECT_EQ(unit_of("backlog_wait_hours"), Unit::kHours);
  EXPECT_EQ(unit_of("frt_p90_minutes"), Unit::kMinutes);
  EXPECT_EQ(unit_of("art_periods"), Unit::kPeriods);
  EXPECT_EQ(unit_of("csat"), Unit::kScore100);
  EXPECT_EQ(unit_of("nps"), Unit::kNps);
  EXPECT_EQ(unit_of("survey_nps"), Unit::kNps);
  EXPECT_EQ(unit_of("ces"), Unit::kScale7);
  EXPECT_EQ(unit_of("customers_end"), Unit::kCount);
  EXPECT_EQ(unit_of("tickets_per_period"), Unit::kCountPerPeriod);
  EXPECT_EQ(unit_of("something_new"), Unit::kPlain);
  EXPECT_STREQ(cxsim::unit_name(Unit::kFraction), "fraction");
  EXPECT_STREQ(cxsim::unit_name(Unit::kMoney), "currency");
  EXPECT_STREQ(cxsim::unit_name(Unit::kNps), "score_-100_100");
  EXPECT_STREQ(cxsim::unit_name(Unit::kPlain), "number");
  EXPECT_EQ(cxsim::unit_label(Unit::kScale7, "USD"), "1-7, higher = more effort");
  EXPECT_EQ(cxsim::unit_label(Unit::kMoney, "USD"), "USD");
  EXPECT_EQ(cxsim::unit_label(Unit::kFraction, "", true), "pp");
}

// The rule of format_value: 4 significant digits in fixed notation with at most 6 decimals, grouped
// whole numbers from 10,000; percentages with 1 decimal (2 below 1%); money grouped from 1,000.
TEST(Units, FormatValueRule) {
  EXPECT_EQ(format_value(2.381e-05, Unit::kPlain, ""), "0.000024");
  EXPECT_EQ(format_value(-2.381e-05, Unit::kPlain, ""), "-0.000024");
  EXPECT_EQ(format_value(1e-9, Unit::kPlain, ""), "0");
  EXPECT_EQ(format_value(0.001234, Unit::kPlain, ""), "0.001234");
  EXPECT_EQ(format_value(2.345678, Unit::kScale7, ""), "2.346");
  EXPECT_EQ(format_value(20.0, Unit::kNps, ""), "20");
  EXPECT_EQ(format_value(9999.4, Unit::kCount, ""), "9999");
  EXPECT_EQ(format_value(123456.7, Unit::kCount, ""), "123,457");
  EXPECT_EQ(format_value(1e21, Unit::kPlain, ""), "1,000,000,000,000,000,000,000");
  EXPECT_EQ(format_value(0.85, Unit::kFraction, ""), "85.0%");
  EXPECT_EQ(format_value(0.0038, Unit::kFraction, ""), "0.38%");
  EXPECT_EQ(format_value(0.0, Unit::kFraction, ""), "0.0%");
  EXPECT_EQ(format_value(1234567.8, Unit::kMoney, "EUR"), "1,234,568 EUR");
  EXPECT_EQ(format_value(0.004, Unit::kMoney, "EUR"), "0.00 EUR");
  EXPECT_EQ(format_value(std::nan(""), Unit::kMoney, "EUR"), "n/a");
  // Differences: signed, fractions in percentage points.
  EXPECT_EQ(format_metric("ces", 2.381e-05, "", true), "+0.000024");
  EXPECT_EQ(format_metric("service_level", -0.0125, "", true), "-1.25 pp");
  EXPECT_EQ(format_metric("margin", 182638.2, "USD", true), "+182,638 USD");
}

// No magnitude, sign or unit ever gives exponent notation.
TEST(Units, NeverAnExponent) {
  for (const Unit unit : {Unit::kFraction, Unit::kMoney, Unit::kMinutes, Unit::kNps, Unit::kPlain}) {
    for (int e = -30; e <= 30; ++e) {
      for (const double mantissa : {1.0, -2.381, 9.99999}) {
        const double x = mantissa * std::pow(10.0, e);
        const std::string text = format_value(x, unit, "USD");
        EXPECT_EQ(text.find_first_of("eE"), std::string::npos) << x << " -> " << text;
      }
    }
  }
}

}  // namespace
