// DKIM keys (generation, 0600 files, the record to publish, refusal of a second key and of
// path tricks), the author domain, and the signature's tags. Verification by an independent
// verifier is in tests/e2e/test_dkim.py (Python's dkim module).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include <openssl/sha.h>

#include "dkim/author_domain.h"
#include "dkim/key_store.h"
#include "dkim/signer.h"
#include "dkim/submission_signer.h"
#include "util/base64.h"

using namespace postern::dkim;

namespace {
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/postern-dkim-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

const char* kMessage =
    "From: Alice <alice@Example.TEST>\r\nTo: bob@far.test\r\nSubject: hello\r\n"
    "Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m1@example.test>\r\n\r\nbody line\r\n";
}  // namespace

TEST(DkimKeyStore, GenerateListFindRemove) {
  TempDir dir;
  KeyStore store(dir.path + "/dkim");
  auto k = store.generate("example.test", "sel1");
  EXPECT_EQ(k.bits, 2048);
  EXPECT_EQ(k.dns_name(), "sel1._domainkey.example.test");
  EXPECT_EQ(k.dns_value().rfind("v=DKIM1; k=rsa; p=MIIBIjAN", 0), 0u) << k.dns_value();
  // Zone-file form: quoted strings of at most 255 bytes that join back to the value.
  auto zone = k.dns_zone_value();
  std::string joined;
  for (size_t i = 0; (i = zone.find('"', i)) != std::string::npos;) {
    auto end = zone.find('"', i + 1);
    EXPECT_LE(end - i - 1, 255u);
    joined += zone.substr(i + 1, end - i - 1);
    i = end + 1;
  }
  EXPECT_EQ(joined, k.dns_value());
  struct stat st {};
  ASSERT_EQ(::stat((dir.path + "/dkim/example.test/sel1.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THROW(store.generate("example.test", "sel2"), KeyExists);
  EXPECT_THROW(store.generate("../x", "sel"), std::invalid_argument);
  EXPECT_THROW(store.generate("example.test", "a/b"), std::invalid_argument);
  ASSERT_EQ(store.list().size(), 1u);
  EXPECT_EQ(store.find("example.test")->public_key, k.public_key);
  EXPECT_FALSE(store.find("other.test"));
  EXPECT_TRUE(store.remove("example.test"));
  EXPECT_FALSE(store.remove("example.test"));
  EXPECT_TRUE(store.list().empty());
}

TEST(DkimAuthorDomain, FromHeader) {
  EXPECT_EQ(author_domain(kMessage), "example.test");
  EXPECT_EQ(author_domain("From: \"Doe, John\" <j@d.test>\r\n\r\nx"), "d.test");
  EXPECT_EQ(author_domain("From: a@x.test,\r\n b@y.test\r\n\r\n"), "");  // two authors
  EXPECT_EQ(author_domain("From: a@x.test\r\nFrom: b@y.test\r\n\r\n"), "");  // two From fields
  EXPECT_EQ(author_domain("To: a@x.test\r\n\r\nFrom: b@y.test\r\n"), "");    // From only in the body
}

TEST(DkimSigner, RelaxedRsaSha256OverTheUsualHeaders) {
  TempDir dir;
  KeyStore store(dir.path);
  auto key = store.generate("example.test", "s1");
  Signer signer;
  auto h = signer.sign(kMessage, key);
  ASSERT_EQ(h.rfind("DKIM-Signature: ", 0), 0u);
  ASSERT_GE(h.size(), 2u);
  EXPECT_EQ(h.substr(h.size() - 2), "\r\n");
  std::string flat;
  for (char c : h)
    if (c != '\r' && c != '\n' && c != '\t' && c != ' ') flat += c;
  EXPECT_NE(flat.find("a=rsa-sha256;"), std::string::npos) << h;
  EXPECT_NE(flat.find("c=relaxed/relaxed;"), std::string::npos) << h;
  EXPECT_NE(flat.find("d=example.test;"), std::string::npos) << h;
  EXPECT_NE(flat.find("s=s1;"), std::string::npos) << h;
  auto hpos = flat.find(";h=");  // not bh=
  ASSERT_NE(hpos, std::string::npos);
  ++hpos;
  std::string signed_headers = flat.substr(hpos, flat.find(';', hpos) - hpos);
  for (const char* name : {"From", "To", "Subject", "Date", "Message-ID"})
    EXPECT_NE(signed_headers.find(name), std::string::npos) << name << " in " << signed_headers;
  EXPECT_EQ(signed_headers.find("Received"), std::string::npos) << signed_headers;
  // From is over-signed: listed once more than it occurs.
  std::string lower;
  for (char c : signed_headers) lower += char(std::tolower(static_cast<unsigned char>(c)));
  auto froms = 0;
  for (size_t i = 0; (i = lower.find("from", i)) != std::string::npos; ++i) ++froms;
  EXPECT_EQ(froms, 2) << signed_headers;
  // Folded lines continue with whitespace, and end in CRLF.
  for (size_t i = h.find('\n'); i + 1 < h.size(); i = h.find('\n', i + 1)) {
    ASSERT_EQ(h[i - 1], '\r');
    EXPECT_TRUE(h[i + 1] == ' ' || h[i + 1] == '\t');
  }
}

TEST(DkimSubmissionSigner, OnlyForEntitledSenders) {
  TempDir dir;
  KeyStore store(dir.path);
  store.generate("example.test", "s1");
  Signer signer;
  SubmissionSigner s(store, signer);
  EXPECT_EQ(s.sign(kMessage, true, {}).domain, "example.test");                          // LAN
  EXPECT_EQ(s.sign(kMessage, false, {"alice@example.test", ""}).domain, "example.test");  // its user
  EXPECT_TRUE(s.sign(kMessage, false, {"eve@other.test", "eve@other.test"}).header.empty());
  EXPECT_TRUE(s.sign("From: x@nokey.test\r\n\r\nb\r\n", true, {}).header.empty());
}

TEST(DkimSigner, LargeMessageBodyHashIsTheSha256OfItsCanonicalBody) {
  // A body of several 64 KiB pieces whose lines are already in relaxed form (single spaces,
  // no trailing space, no empty lines at the end): bh= must be base64(SHA-256(body)).
  TempDir dir;
  KeyStore store(dir.path);
  auto key = store.generate("example.test", "s1");
  Signer signer;
  std::string body;
  while (body.size() < 200000) body += "0123456789 line of text\r\n";
  std::string head = std::string(kMessage).substr(0, std::string(kMessage).find("\r\n\r\n") + 4);
  std::string flat;
  for (char c : signer.sign(head + body, key))
    if (c != '\r' && c != '\n' && c != '\t' && c != ' ') flat += c;
  auto at = flat.find("bh=") + 3;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  EXPECT_EQ(flat.substr(at, flat.find(';', at) - at),
            postern::util::base64_encode(std::string(reinterpret_cast<char*>(digest), sizeof digest)));
}
