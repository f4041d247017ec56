// The admin facade: settings changes are all or nothing and name the field; uploaded
// certificates must match their key.
#include "admin/admin.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace postern;

namespace {
std::string temp_dir() {
  char tmpl[] = "/tmp/postern-admin-XXXXXX";
  return mkdtemp(tmpl);
}

struct Stores {
  explicit Stores(const std::string& dir)
      : settings(dir + "/postern.db"), directory(dir + "/postern.db"), relay(dir + "/postern.db"), queue(dir + "/queue"),
        admin(settings, directory, relay, queue, {dir + "/tls", dir + "/log"}) {}
  store::SettingsStore settings;
  store::Directory directory;
  store::RelayTables relay;
  queue::QueueStore queue;
  admin::Admin admin;
};

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
