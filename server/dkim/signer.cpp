#include "dkim/signer.h"

#include <sys/types.h>

#include <stdexcept>

// dkim.h is C99 and spells bool as _Bool, which C++ does not know: same type, same ABI.
#define _Bool bool
#include <opendkim/dkim.h>
#undef _Bool

namespace postern::dkim {

namespace {

struct Handle {
  DKIM* d = nullptr;
  ~Handle() {
    if (d) dkim_free(d);
  }
};

void check(DKIM_STAT st, DKIM* d, const char* step) {
  if (st == DKIM_STAT_OK) return;
  const char* why = d ? dkim_geterror(d) : nullptr;
  throw std::runtime_error(std::string("DKIM signing failed at ") + step + ": " +
                           (why && *why ? why : dkim_getresultstr(st)));
}

}  // namespace

Signer::Signer() : lib_(dkim_init(nullptr, nullptr)) {
  if (!lib_) throw std::runtime_error("libopendkim could not start");
  // RFC 6376 §5.4.1's list: what the reader sees and what MIME needs, never trace headers
  // (Received is added by every hop). Only the fields present are signed.
  static const char* sign[] = {"from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc",
                               "mime-version", "content-type", "content-transfer-encoding", "content-id",
                               "content-description", "resent-date", "resent-from", "resent-sender",
                               "resent-to", "resent-cc", "resent-message-id", "in-reply-to", "references",
                               "list-id", "list-help", "list-unsubscribe", "list-subscribe", "list-post",
                               "list-owner", "list-archive", nullptr};
  // Over-sign From: a From added in transit breaks the signature instead of fooling readers.
  static const char* oversign[] = {"from", nullptr};
  // libopendkim takes the list itself and checks that len is the size of a char**.
  if (dkim_options(lib_, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, sign, sizeof(char**)) != DKIM_STAT_OK ||
      dkim_options(lib_, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS, oversign, sizeof(char**)) != DKIM_STAT_OK) {
    dkim_close(lib_);
    throw std::runtime_error("libopendkim refused the header lists");
  }
}

Signer::~Signer() { dkim_close(lib_); }

std::string Signer::sign(const std::string& message, const Key& key) const {
  DKIM_STAT st = DKIM_STAT_OK;
  Handle h;
  h.d = dkim_sign(lib_, reinterpret_cast<const unsigned char*>("postern"), nullptr,
                  reinterpret_cast<dkim_sigkey_t>(const_cast<char*>(key.private_key_pem.c_str())),
                  reinterpret_cast<const unsigned char*>(key.selector.c_str()),
                  reinterpret_cast<const unsigned char*>(key.domain.c_str()), DKIM_CANON_RELAXED, DKIM_CANON_RELAXED,
                  DKIM_SIGN_RSASHA256, -1, &st);
  if (!h.d) check(st == DKIM_STAT_OK ? DKIM_STAT_INTERNAL : st, nullptr, "setup");
  // dkim_chunk wants a mutable buffer: copy in pieces rather than doubling a large message.
  std::string piece;
  for (size_t at = 0; at < message.size(); at += 65536) {
    piece.assign(message, at, 65536);
    check(dkim_chunk(h.d, reinterpret_cast<u_char*>(piece.data()), piece.size()), h.d, "message");
  }
  check(dkim_chunk(h.d, nullptr, 0), h.d, "end of message");
  check(dkim_eom(h.d, nullptr), h.d, "signature");
  static const char name[] = "DKIM-Signature";
  unsigned char* value = nullptr;
  size_t len = 0;
  check(dkim_getsighdr_d(h.d, sizeof name + 1, &value, &len), h.d, "header");
  std::string header(reinterpret_cast<char*>(value), len);
  // libopendkim folds with bare LF; the queue holds CRLF messages.
  std::string out = std::string(name) + ": ";
  for (char c : header) {
    if (c == '\n') out += "\r\n";
    else if (c != '\r') out += c;
  }
  return out + "\r\n";
}

}  // namespace postern::dkim
