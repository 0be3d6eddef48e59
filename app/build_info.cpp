#include "app/build_info.h"

// The only file that includes the generated header: when the id changes, this file alone
// is recompiled before the relink.
#include "meshsim_build_id.h"

namespace meshsim::cli {

const char* build_id() { return MESHSIM_BUILD_ID; }

}  // namespace meshsim::cli
