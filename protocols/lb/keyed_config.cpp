// [protocol] keys of consistent hashing and keyed tasks (README.md, "Consistent hashing").
#include <memory>

#include "protocols/lb/keyed_placement.h"
#include "protocols/lb/lb_module.h"
#include "sim/scenario/config_section.h"

namespace meshsim::lb {

void parse_keyed(ConfigSection& s, Params& p) {
  if (p.strategy != Strategy::consistent_hash) {
    s.reject_unused({"keys", "key_zipf", "virtual_nodes", "replicas", "repair_interval"},
                    "unless strategy = \"consistent-hash\"");
    if (p.bug == Bug::ring_replicas_short) s.fail("bug", "\"ring-replicas-short\" needs strategy = \"consistent-hash\"");
    return;
  }
  if (!s.has("keys")) s.fail("keys", "strategy = \"consistent-hash\" needs the size of the key space (keys = 1000)");
  KeyedConfig c;
  c.keys = static_cast<uint32_t>(s.get_int("keys", 1000, 1, 10'000'000));
  c.zipf = s.get_double("key_zipf", 0.0, 0.0, 10.0);
  c.virtual_nodes = static_cast<uint32_t>(s.get_int("virtual_nodes", 64, 1, 4096));
  c.replicas = static_cast<uint32_t>(s.get_int("replicas", 3, 1, 16));
  c.repair_interval_ns = s.get_duration("repair_interval", Duration::millis(200)).ns;
  if (c.replicas < 2 && p.bug == Bug::ring_replicas_short)
    s.fail("bug", "\"ring-replicas-short\" needs replicas >= 2 (it keeps r - 1 copies)");
  // A key's data lives on its replicas; sending its task elsewhere would serve it without.
  if (p.capability_share > 0)
    s.fail("capability_share", "cannot be combined with strategy = \"consistent-hash\", which places by key alone");
  if (p.migrate_above > 0)
    s.fail("migrate_above", "cannot be combined with strategy = \"consistent-hash\": a migrated task would leave its key's data");
  p.keyed = std::make_shared<KeyedPlacement>(c);
}

}  // namespace meshsim::lb
