// The SPF gate as two checks of the policy engine (SEC-2, SPF-1..9):
//   Mail  "spf"  judges the client, HELO and sender once per transaction (so the result is
//                cached and the Received-SPF and spam-score headers wait in the
//                transaction's notes, spf::kHeadersNote, for the end of data). A fail or
//                temperror is not answered here: the refusal is held in ctx.held.
//   Rcpt  "spf"  applies the held refusal to each recipient, except one a recipient
//                whitelist entry exempts from SPF: that recipient still gets the mail while
//                the others get 550 5.7.23 (or 451 4.7.24).
// Client and sender whitelist entries skip SPF at MAIL already. With spf.fail_close the
// connection is closed after the refusal only when no recipient could be accepted, i.e.
// when no recipient whitelist entry exempts anyone from SPF; otherwise each refusal is
// given and the session goes on. Refusals are counted under "spf.fail" / "spf.temperror".
// Threading: the checks run on session threads; the Gate and the Engine are shared and
// thread-safe.
#pragma once
#include <vector>

#include "policy/engine.h"
#include "spf/gate.h"

namespace postern::daemon {

std::vector<policy::Check> spf_checks(spf::Gate& gate, policy::Engine& engine);

}  // namespace postern::daemon
