// The signing decision for mail accepted from our own users (RFC 6376 §3.5 signer role):
// the author (From) domain's key, if that domain has one, and only for a sender entitled to
// it. The SMTP server calls it once per message before the queue write, so a message is
// signed exactly once and the 250 still follows the fsync.
// Collaborators: dkim::KeyStore, dkim::Signer, dkim::author_domain.
// Error contract: sign() returns an empty header when nothing is to be signed; signing
// failures come back in `problem` (the message then goes unsigned; the caller logs it).
// Threading: any thread.
#pragma once
#include <string>
#include <vector>

#include "dkim/key_store.h"
#include "dkim/signer.h"

namespace postern::dkim {

struct SigningResult {
  std::string header;   // "DKIM-Signature: ...\r\n", or empty
  std::string domain;   // d= when signed
  std::string problem;  // why a message that should have been signed was not
};

class SubmissionSigner {
 public:
  SubmissionSigner(KeyStore& keys, const Signer& signer) : keys_(keys), signer_(signer) {}

  // `own_network`: the client is on the LAN or a trusted network (may use any hosted
  // domain). Otherwise `identities` (the authenticated login and the envelope sender,
  // which smtp.check_sender_login has tied to it) must include an address of the author
  // domain, so a user of one hosted domain cannot get mail signed as another.
  SigningResult sign(const std::string& message, bool own_network, const std::vector<std::string>& identities) const;

 private:
  KeyStore& keys_;
  const Signer& signer_;
};

}  // namespace postern::dkim
