// Model compilation: categorical draws invert cumulative weights exactly, in the order given, and
// move as few draws as possible when one weight changes.
#include <gtest/gtest.h>

#include <cmath>

#include "model.hpp"

namespace {

// Exact outcome probabilities implied by a cumulative table (the length of each outcome's u range).
std::vector<double> implied(const cxsim::CumulativeTable& t) {
  std::vector<double> p(t.size(), 0.0);
  double before = 0.0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double upto = i + 1 == t.size() ? 1.0 : t.cumulative[i];
    p[i == t.size() - 1 ? t.last : i] += upto - before;
    before = upto;
  }
  return p;
}

}  // namespace

TEST(Model, CumulativeTableReproducesWeights) {
  for (const std::vector<double>& w : std::vector<std::vector<double>>{{1.0},
                                                                       {6.0, 1.0},
                                                                       {28.0, 1.0},
                                                                       {0.97, 0.03},
                                                                       {1, 2, 3, 4, 5, 6, 7},
                                                                       {0.2, 0.0, 0.8},
                                                                       {1e-9, 1.0},
                                                                       {0.5, 0.5, 0.0}}) {
    const auto t = cxsim::CumulativeTable::build(w);
    const auto p = implied(t);
    double total = 0.0;
    for (double x : w) total += x;
    for (std::size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(p[i], w[i] / total, 1e-12) << "outcome " << i;
  }
}

TEST(Model, PickNeverReturnsZeroWeightOutcome) {
  for (const std::vector<double>& w : std::vector<std::vector<double>>{{0.5, 0.0, 0.5}, {0.5, 0.5, 0.0}, {0.0, 1.0}}) {
    const auto t = cxsim::CumulativeTable::build(w);
    for (int i = 0; i < 100000; ++i) EXPECT_GT(w[t.pick((i + 0.5) / 100000.0)], 0.0);
  }
}

// Changing one weight moves only the draws that lie between an old and a new boundary of the
// cumulative shares, each by one outcome (a monotone coupling: common random numbers stay aligned);
// an alias table would reassign draws all over the unit interval.
TEST(Model, ChangingOneWeightMovesOnlyTheDrawsBetweenOldAndNewBoundaries) {
  const auto a = cxsim::CumulativeTable::build({0.3, 0.3, 0.2, 0.2});
  const auto b = cxsim::CumulativeTable::build({0.3, 0.4, 0.2, 0.2});
  int moved = 0;
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) {
    const double u = (i + 0.5) / kDraws;
    const int x = static_cast<int>(a.pick(u)), y = static_cast<int>(b.pick(u));
    if (x != y) {
      ++moved;
      EXPECT_EQ(std::abs(x - y), 1) << "u = " << u;
    }
  }
  double between = 0.0;  // total length between old and new boundaries
  for (std::size_t k = 0; k + 1 < a.size(); ++k) between += std::abs(a.cumulative[k] - b.cumulative[k]);
  EXPECT_NEAR(moved / static_cast<double>(kDraws), between, 3.0 / kDraws);
}
