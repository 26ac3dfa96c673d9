#pragma once
// Pieces of `cxsim optimize` shared by the spec reader (optimize_spec.cpp), the search
// (optimize.cpp) and its document (optimize_report.cpp).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cxsim/optimize.hpp"
#include "report_document.hpp"

namespace cxsim {

// The changes of the grid point `index` (one value index per variable): "set" writes the value,
// "add" writes the base value (`effective`: the base's effective document) with the value added to
// each of its numbers (integers where the schema wants them).
std::vector<PointChange> point_changes(const OptimizeSpec& spec, const nlohmann::json& effective,
                                       const std::vector<std::size_t>& index);

// "name=v, name=v" of a grid point, for messages.
std::string describe_values(const OptimizeSpec& spec, const std::vector<std::size_t>& index);

// {NAME: value} of a grid point, for documents.
Json values_json(const OptimizeSpec& spec, const std::vector<std::size_t>& index);

}  // namespace cxsim
