// `meshsim diverge A.toml [B.toml]`: where two runs part, event by event (app/divergence/).
// The sides differ by scenario file, by --set-a / --set-b, or by build (--other-binary, the
// meshsim built before a change). Also the hidden `meshsim emit-events`, through which
// another build replays its side. Exit 0 identical runs, 1 they differ, 2 bad input.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/divergence/locate.h"
#include "sim/scenario/module_registry.h"

namespace CLI {
class App;
}

namespace meshsim::cli {

struct DivergeOptions {
  std::string a, b;  // scenario files; b defaults to a
  std::optional<uint64_t> seed;
  std::vector<std::string> sets, sets_a, sets_b;
  std::string other_binary;  // B runs in this binary
  uint64_t every = divergence::kDefaultEvery;
  unsigned context = divergence::kDefaultContext;
};

struct EmitOptions {
  std::string scenario;
  std::optional<uint64_t> seed;
  std::vector<std::string> sets;
  uint64_t every = 0;
  std::string events;  // "I..J"
};

// Adds both subcommands to the command line; run_if_chosen runs the one that was parsed.
class DivergeCommands {
 public:
  explicit DivergeCommands(CLI::App& app);
  bool chosen() const;
  int run(const ModuleRegistry& registry);

 private:
  CLI::App* diverge_ = nullptr;
  CLI::App* emit_ = nullptr;
  DivergeOptions diverge_options_;
  EmitOptions emit_options_;
};

int diverge_command(const DivergeOptions& options, const ModuleRegistry& registry);
int emit_events_command(const EmitOptions& options, const ModuleRegistry& registry);

}  // namespace meshsim::cli
