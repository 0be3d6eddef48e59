#include "protocols/kv/history.h"

namespace meshsim::kv {

const char* to_string(OpKind k) {
  switch (k) {
    case OpKind::get: return "get";
    case OpKind::put: return "put";
    case OpKind::cas: return "cas";
  }
  return "?";
}

}  // namespace meshsim::kv
