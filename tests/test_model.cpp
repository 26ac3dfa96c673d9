// Model compilation: alias tables reproduce their weights exactly.
#include <gtest/gtest.h>

#include "model.hpp"

namespace {

// Exact outcome probabilities implied by an alias table (integrating over u in (0, 1)).
std::vector<double> implied(const cxsim::AliasTable& t) {
  const double n = static_cast<double>(t.size());
  std::vector<double> p(t.size(), 0.0);
  for (std::size_t i = 0; i < t.size(); ++i) {
    p[i] += t.prob[i] / n;
    p[t.alias[i]] += (1.0 - t.prob[i]) / n;
  }
  return p;
}

}  // namespace

TEST(Model, AliasTableReproducesWeights) {
  for (const std::vector<double>& w : std::vector<std::vector<double>>{
           {1.0}, {6.0, 1.0}, {28.0, 1.0}, {0.97, 0.03}, {1, 2, 3, 4, 5, 6, 7}, {0.2, 0.0, 0.8}, {1e-9, 1.0}}) {
    const auto t = cxsim::AliasTable::build(w);
    const auto p = implied(t);
    double total = 0.0;
    for (double x : w) total += x;
    for (std::size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(p[i], w[i] / total, 1e-12) << "outcome " << i;
  }
}

TEST(Model, AliasPickNeverReturnsZeroWeightOutcome) {
  const auto t = cxsim::AliasTable::build({0.5, 0.0, 0.5});
  for (int i = 0; i < 100000; ++i) EXPECT_NE(t.pick((i + 0.5) / 100000.0), 1u);
}
