#include "dkim/submission_signer.h"

#include "dkim/author_domain.h"
#include "util/strings.h"

namespace postern::dkim {

SigningResult SubmissionSigner::sign(const std::string& message, bool own_network,
                                     const std::vector<std::string>& identities) const {
  SigningResult r;
  std::string domain = author_domain(message);
  if (domain.empty()) return r;
  if (!own_network) {
    bool entitled = false;
    for (const auto& id : identities) {
      auto at = id.rfind('@');
      if (at != std::string::npos && util::iequals(id.substr(at + 1), domain)) entitled = true;
    }
    if (!entitled) return r;
  }
  try {
    auto key = keys_.find(domain);
    if (!key) return r;
    r.header = signer_.sign(message, *key);
    r.domain = domain;
  } catch (const std::exception& e) {
    r.header.clear();
    r.problem = e.what();
  }
  return r;
}

}  // namespace postern::dkim
