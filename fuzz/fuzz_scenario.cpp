// libFuzzer target over everything a scenario file reaches: the JSON parser with its limits, the
// JSON Schema check, the loader's semantic checks, the journey graph checks, the model compiler,
// the memory estimate, and a tiny run of the engine and the result report.
//
// Contract under test: any input either loads or is refused with cxsim::InputError. Any other
// exception (a CXSIM_CHECK logic_error, a nlohmann exception the loader let through), a crash, a
// sanitizer report, a hang (-timeout) or runaway memory (-rss_limit_mb) is a bug; libFuzzer saves
// the input, and it becomes a regression test (tests/data/bad or a unit test).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cxsim/report.hpp"
#include "cxsim/runner.hpp"
#include "cxsim/scenario.hpp"
#include "model.hpp"
#include "run_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    cxsim::Scenario scenario = cxsim::parse_scenario(text, "fuzz.json");
    // Keep each input fast: a few customers and periods still walk every mechanism once.
    scenario.population.customers = std::min<std::int64_t>(scenario.population.customers, 40);
    scenario.horizon_periods = std::min(scenario.horizon_periods, 8);
    scenario.replications = 1;
    const cxsim::Model model = cxsim::compile_model(scenario);
    if (cxsim::estimate_memory_bytes(model, 1) == 0) __builtin_trap();
    cxsim::RunOptions options;
    options.threads = 1;
    const cxsim::RunResult result = cxsim::run_model(model, cxsim::run_info(scenario), options);
    if (cxsim::run_report(result).json().empty()) __builtin_trap();
  } catch (const cxsim::InputError&) {
    // Refused with diagnostics: the expected outcome for most inputs.
  }
  return 0;
}
