// The SPF gate as one check of the policy engine's MAIL stage: SEC-2 whitelist entries
// that skip SPF are honoured here, refusals are counted under "spf.fail" /
// "spf.temperror", and the Received-SPF and spam-score headers wait in the transaction's
// notes (spf::kHeadersNote) for the end of data.
// XXX: at MAIL the whitelist knows the client and the sender; a recipient whitelist entry
// (which the spec says skips SPF too) cannot, since SPF has already been judged by then.
// Threading: the check runs on session threads; the Gate is shared and thread-safe.
#pragma once
#include "policy/engine.h"
#include "spf/gate.h"

namespace postern::daemon {

policy::Check spf_check(spf::Gate& gate);

}  // namespace postern::daemon
