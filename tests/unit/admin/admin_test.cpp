// The admin facade: settings changes are all or nothing and name the field; uploaded
// certificates must match their key.
#include "admin/admin.h"
#include "cli/admin_access.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include "temp_dir.h"

using namespace postern;

namespace {
std::string temp_dir() { return postern::test::make_temp_dir("admin"); }

// The stores over one data folder, opened as the CLI opens them.
using Stores = cli::AdminAccess;

std::string field_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const admin::Invalid& e) {
    return e.field;
  }
  return "(accepted)";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A self-signed pair made by the openssl command line, as an admin would upload it.
std::pair<std::string, std::string> pem_pair(const std::string& dir, const std::string& name) {
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name + " -keyout " + dir + "/" +
                    name + ".key -out " + dir + "/" + name + ".crt 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return {slurp(dir + "/" + name + ".crt"), slurp(dir + "/" + name + ".key")};
}
}  // namespace

TEST(AdminSettings, AllOrNothingAndFieldNamed) {
  Stores s(temp_dir());
  auto serial = s.settings.serial();
  EXPECT_EQ(field_of([&] { s.admin.set_settings({{"smtp.banner", "new"}, {"smtp.max_recipients", "0"}}); }),
            "smtp.max_recipients");
  EXPECT_EQ(field_of([&] { s.admin.set_settings({{"smtp.banner", "new"}, {"nope", "1"}}); }), "nope");
  EXPECT_EQ(field_of([&] { s.admin.set_settings({{"smtp.banner", "new"}, {"network.lan", "0.0.0.0/1"}}); }), "network.lan");
  EXPECT_EQ(field_of([&] { s.admin.set_settings({{"tls.cert_file", "/x.pem"}}); }), "tls.cert_file");
  EXPECT_EQ(field_of([&] { s.admin.set_settings({{"admin.plain_http_listen", "0.0.0.0:8080"}}); }),
            "admin.plain_http_listen");
  EXPECT_EQ(s.settings.serial(), serial);  // nothing was written
  EXPECT_EQ(s.admin.settings().at("smtp.banner"), "Postern ESMTP");
  auto stored = s.admin.set_settings({{"smtp.banner", " new "}, {"smtp.require_auth", "ON"}});
  EXPECT_EQ(stored.at("smtp.banner"), "new");
  EXPECT_EQ(stored.at("smtp.require_auth"), "true");
  EXPECT_EQ(s.admin.settings().at("smtp.banner"), "new");
}

TEST(AdminCertificate, UploadChecksTheKeyAndUsesThePair) {
  auto dir = temp_dir();
  Stores s(dir);
  auto [cert, key] = pem_pair(dir, "one.test");
  auto [other_cert, other_key] = pem_pair(dir, "two.test");
  EXPECT_EQ(field_of([&] { s.admin.upload_certificate(cert, other_key); }), "private_key");
  EXPECT_EQ(field_of([&] { s.admin.upload_certificate("junk", key); }), "certificate");
  EXPECT_EQ(field_of([&] { s.admin.upload_certificate(cert, "junk"); }), "private_key");
  EXPECT_EQ(s.admin.settings().at("tls.cert_file"), "");
  auto info = s.admin.upload_certificate(cert, key);
  EXPECT_NE(info.subject.find("one.test"), std::string::npos);
  EXPECT_EQ(s.admin.settings().at("tls.cert_file"), dir + "/tls/uploaded-cert.pem");
  EXPECT_EQ(s.admin.certificate().sha256, info.sha256);
}

TEST(AdminDirectory, InvalidNamesTheFieldMissingIsNotFound) {
  Stores s(temp_dir());
  EXPECT_EQ(field_of([&] { s.admin.add_domain("nodot"); }), "name");
  s.admin.add_domain("example.test");
  EXPECT_EQ(field_of([&] { s.admin.add_user("a@example.test", "short"); }), "password");
  EXPECT_EQ(field_of([&] { s.admin.add_alias("x@example.test", {}); }), "targets");
  EXPECT_THROW(s.admin.remove_user("nobody@example.test"), admin::NotFound);
  EXPECT_THROW(s.admin.add_domain("example.test"), store::Refused);
  EXPECT_THROW(s.admin.queue_change("NOSUCH", queue::QueueStore::Change::Hold), admin::NotFound);
}

TEST(AdminSecurity, RulesValidatedLikeTheCliWithThePanelsTypeName) {
  Stores s(temp_dir());
  EXPECT_EQ(field_of([&] { s.admin.add_security_rule({"grey", "ip", "192.0.2.1", ""}); }), "list");
  EXPECT_EQ(field_of([&] { s.admin.add_security_rule({"black", "asn", "192.0.2.1", ""}); }), "type");
  EXPECT_EQ(field_of([&] { s.admin.add_security_rule({"black", "ip", "192.0.2.300", ""}); }), "value");
  EXPECT_EQ(field_of([&] { s.admin.add_security_rule({"black", "ip", "192.0.2.1", "bounce"}); }), "action");
  EXPECT_EQ(field_of([&] { s.admin.add_security_rule({"white", "ip", "192.0.2.1", "discard"}); }), "action");
  EXPECT_TRUE(s.admin.security_rules().empty());
  auto rule = s.admin.add_security_rule({"black", "sender_domain", "Spam.TEST", "discard"});
  EXPECT_EQ(rule.type, "domain");
  EXPECT_EQ(rule.value, "spam.test");
  auto white = s.admin.add_security_rule({"white", "ip", "192.0.2.1", "reject"});
  EXPECT_EQ(s.admin.security_rules().size(), 2u);
  EXPECT_THROW(s.admin.add_security_rule({"black", "domain", "spam.test", ""}), store::Refused);
  s.admin.remove_security_rule(white.id);
  EXPECT_THROW(s.admin.remove_security_rule(white.id), admin::NotFound);
  EXPECT_EQ(field_of([&] { s.admin.blacklist_ip("not-an-ip"); }), "ip");
  EXPECT_EQ(s.admin.blacklist_ip("2001:DB8::1").value, "2001:db8::1");
}

TEST(AdminSecurity, BlocksNeedAnAddressAFutureEndAndOneLineOfReason) {
  Stores s(temp_dir());
  auto now = int64_t(std::time(nullptr));
  EXPECT_EQ(field_of([&] { s.admin.add_block("192.0.2.300", "", 0); }), "ip");
  EXPECT_EQ(field_of([&] { s.admin.add_block("192.0.2.1", "", now - 10); }), "until");
  EXPECT_EQ(field_of([&] { s.admin.add_block("192.0.2.1", "a\nb", 0); }), "reason");
  EXPECT_TRUE(s.admin.blocks().empty());
  auto b = s.admin.add_block("192.0.2.1", "", now + 60);
  EXPECT_EQ(b.reason, "blocked by the administrator");
  ASSERT_EQ(s.admin.blocks().size(), 1u);
  EXPECT_EQ(s.admin.blocks()[0].expires_at, now + 60);
  s.admin.lift_block("192.0.2.1");
  EXPECT_THROW(s.admin.lift_block("192.0.2.1"), admin::NotFound);
}

TEST(AdminSecurity, AuthFailuresNewestFirstAcrossRotation) {
  auto dir = temp_dir();
  Stores s(dir);
  std::system(("mkdir -p " + dir + "/log").c_str());
  auto line = [](const char* time, const char* login) {
    return std::string(time) + " S1 auth-failure protocol=smtp session=S1 ip=192.0.2.7 login=" + login +
           " account=none mechanism=PLAIN reason=bad-credentials\n";
  };
  std::ofstream(dir + "/log/auth.log.1") << line("2026-11-26T10:00:00.000Z", "first") << "not a failure\n";
  std::ofstream(dir + "/log/auth.log") << line("2026-11-26T11:00:00.000Z", "second") << line("2026-11-26T12:00:00.000Z", "third");
  auto page = s.admin.auth_failures(0, 2);
  EXPECT_EQ(page.total, 3u);
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.entries[0].login, "third");
  EXPECT_EQ(page.entries[1].login, "second");
  EXPECT_EQ(page.entries[0].account, "");
  EXPECT_EQ(s.admin.auth_failures(2, 2).entries.at(0).login, "first");
  EXPECT_EQ(field_of([&] { s.admin.auth_failures(0, 0); }), "limit");
}
