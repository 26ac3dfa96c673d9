// Structural checks of the journey graph (../shared/MODEL.md, "Journey graph").
//
// Touchpoints are vertices, `next` entries are edges. Three checks:
//   - every non-exit touchpoint needs an out-edge (error: a customer there could not take a step);
//   - reachability by breadth-first search from every entry (journey entry and segment entries);
//     a touchpoint no entry reaches is never visited (warning);
//   - closed groups: the strongly connected components (Tarjan, boost::strong_components) that are
//     sinks of the condensation, reachable, and made of non-exit touchpoints. Customers who reach one
//     never leave it except through the churn hazard (warning: often intended, but worth a look).
#include "graph.hpp"

#include <fmt/format.h>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/pending/queue.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace cxsim {

namespace {

using JourneyGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
using Vertex = boost::graph_traits<JourneyGraph>::vertex_descriptor;

// RFC 6901 pointer of a touchpoint.
std::string touchpoint_pointer(const std::string& id) { return "/journey/touchpoints/" + escape_pointer_token(id); }

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

void check_journey(const Scenario& scenario, DiagnosticSink& sink) {
  const auto& touchpoints = scenario.journey.touchpoints;
  const std::size_t n = touchpoints.size();
  std::unordered_map<std::string, Vertex> vertex_of;
  for (std::size_t i = 0; i < n; ++i) vertex_of.emplace(touchpoints[i].id, i);

  JourneyGraph graph(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& [target, weight] : touchpoints[i].next) {
      const auto it = vertex_of.find(target);
      if (it != vertex_of.end()) boost::add_edge(i, it->second, graph);  // unresolved: the loader's error
    }
  }

  for (std::size_t i = 0; i < n; ++i) {
    if (!touchpoints[i].exit && boost::out_degree(i, graph) == 0) {
      sink.error(touchpoint_pointer(touchpoints[i].id) + "/next",
                 "every non-exit touchpoint needs at least one out-edge in next (a customer there takes one "
                 "step per period); add {\"TARGET\": weight}, or mark it {\"exit\": true}");
    }
  }

  // Reachability from every entry at once.
  std::vector<Vertex> sources;
  std::vector<std::string> entry_names;
  const auto add_entries = [&](const WeightedIds& entry) {
    for (const auto& [id, share] : entry) {
      const auto it = vertex_of.find(id);
      if (it == vertex_of.end()) continue;
      sources.push_back(it->second);
      if (std::find(entry_names.begin(), entry_names.end(), id) == entry_names.end()) entry_names.push_back(id);
    }
  };
  add_entries(scenario.journey.entry);
  for (const auto& segment : scenario.segments) add_entries(segment.entry);
  if (sources.empty()) return;  // no resolvable entry: the loader has reported it

  std::vector<boost::default_color_type> color(n, boost::white_color);
  const auto color_map = boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, graph));
  boost::queue<Vertex> queue;
  boost::breadth_first_search(graph, sources.begin(), sources.end(), queue, boost::default_bfs_visitor(), color_map);
  const auto reached = [&](std::size_t v) { return color[v] != boost::white_color; };

  for (std::size_t i = 0; i < n; ++i) {
    if (reached(i)) continue;
    sink.warning(
        touchpoint_pointer(touchpoints[i].id),
        fmt::format("touchpoint \"{}\" is unreachable from every entry ({}): no customer ever {}; add it "
                    "to some touchpoint's next, or remove it",
                    touchpoints[i].id, join(entry_names), touchpoints[i].exit ? "leaves through it" : "visits it"));
  }

  // Closed groups: sink components of the condensation.
  std::vector<int> component(n);
  const int components = boost::strong_components(
      graph, boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, graph)));
  std::vector<bool> leaves(static_cast<std::size_t>(components), false);
  std::vector<bool> has_edge(static_cast<std::size_t>(components), false);
  std::vector<bool> has_exit(static_cast<std::size_t>(components), false);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<std::size_t>(component[i]);
    if (touchpoints[i].exit) has_exit[c] = true;
    for (const auto& edge : boost::make_iterator_range(boost::out_edges(i, graph))) {
      has_edge[c] = true;
      if (component[boost::target(edge, graph)] != component[i]) leaves[c] = true;
    }
  }
  for (std::size_t c = 0; c < static_cast<std::size_t>(components); ++c) {
    // A touchpoint without out-edges is already an error above, so a closed group has an edge.
    if (leaves[c] || !has_edge[c] || has_exit[c]) continue;
    std::vector<std::string> members;
    bool reachable = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (static_cast<std::size_t>(component[i]) != c) continue;
      members.push_back(touchpoints[i].id);
      reachable = reachable || reached(i);
    }
    if (!reachable) continue;
    sink.warning(touchpoint_pointer(members.front()),
                 fmt::format("customers who reach {{{}}} never leave them except through the churn hazard; if "
                             "they should be able to leave, add an edge from the group to an exit touchpoint",
                             join(members)));
  }
}

}  // namespace cxsim
