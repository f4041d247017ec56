// Why a recipient's mail requires TLS (RFC 8689): the MAIL parameter, a +requiretls tag
// or a rule; and the tag's removal from remote addresses.
#include <gtest/gtest.h>

#include "smtp/server/require_tls.h"

using postern::mail::Address;
using postern::smtp::require_tls_reason;
using postern::smtp::without_requiretls_tag;

TEST(RequireTls, ReasonsInOrder) {
  Address sender{"alice", "example.test"}, rcpt{"bob", "remote.test"}, tagged{"bob+RequireTLS", "remote.test"};
  EXPECT_EQ(require_tls_reason(true, sender, tagged, "remote.test"), "mail");
  EXPECT_EQ(require_tls_reason(false, sender, tagged, ""), "tag");
  EXPECT_EQ(require_tls_reason(false, sender, rcpt, "other.test, REMOTE.test"), "rule");
  EXPECT_EQ(require_tls_reason(false, sender, rcpt, "@example.test"), "rule") << "the sender's domain";
  EXPECT_EQ(require_tls_reason(false, sender, rcpt, "Bob@remote.test"), "rule");
  EXPECT_EQ(require_tls_reason(false, sender, rcpt, "carol@remote.test,sub.remote.test"), "");
  EXPECT_EQ(require_tls_reason(false, Address{}, rcpt, ""), "") << "the null sender";
  EXPECT_EQ(require_tls_reason(false, sender, Address{"+requiretls", "remote.test"}, ""), "")
      << "a local part that is only the tag is not tagged";
}

TEST(RequireTls, TagRemoval) {
  EXPECT_EQ(without_requiretls_tag("bob+requiretls@remote.test"), "bob@remote.test");
  EXPECT_EQ(without_requiretls_tag("bob+REQUIRETLS@remote.test"), "bob@remote.test");
  EXPECT_EQ(without_requiretls_tag("bob+other@remote.test"), "bob+other@remote.test");
  EXPECT_EQ(without_requiretls_tag("bob@remote.test"), "bob@remote.test");
}
