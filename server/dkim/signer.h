// DKIM-Signature (RFC 6376) for one message: rsa-sha256, relaxed/relaxed canonicalisation,
// libopendkim's recommended header set (From, To, Cc, Subject, Date, Message-ID,
// Reply-To, MIME and List headers, ...), with From over-signed so no second From can be
// added in transit.
// Collaborators: libopendkim (canonicalisation, hashing, RSA through OpenSSL), dkim::Key.
// Error contract: sign() throws std::runtime_error naming libopendkim's complaint; callers
// decide whether an unsigned message may still go (the SMTP server lets it, and logs).
// Threading: one Signer per process; sign() may be called from any number of threads
// (libopendkim's library handle is thread-safe, each call has its own signing handle).
#pragma once
#include <string>

#include "dkim/key_store.h"

struct dkim_lib;

namespace postern::dkim {

class Signer {
 public:
  Signer();
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  // `message` is the whole message with CRLF line ends. Returns the header field to put
  // in front of it: "DKIM-Signature: v=1; a=rsa-sha256; ...\r\n", folded.
  std::string sign(const std::string& message, const Key& key) const;

 private:
  dkim_lib* lib_;
};

}  // namespace postern::dkim
