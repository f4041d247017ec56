// Admin facade: the server certificate (show, generate a self-signed one, upload PEM:
// key checked against the leaf, chain put in order and validated, see tls::prepare_pem_pair).
// An uploaded pair is written to DIR/tls/uploaded-*.pem and named by tls.cert_file and
// tls.key_file, so the daemon's usual settings reload picks it up.
#include "admin/admin.h"
#include "tls/certificate.h"
#include "util/fs.h"
#include "util/host_name.h"

namespace postern::admin {

std::string Admin::hostname() {
  auto name = settings().at("smtp.hostname");
  if (!name.empty()) return name;
  return util::system_host_name();
}

tls::CertificateInfo Admin::certificate() {
  auto values = settings();
  auto path = values.at("tls.cert_file");
  if (path.empty()) path = tls::ensure_self_signed(paths_.tls_dir, hostname()).cert;
  try {
    return tls::describe_certificate_file(path);
  } catch (const std::runtime_error& e) {
    throw NotFound(e.what());
  }
}

tls::CertificateInfo Admin::generate_certificate() {
  auto paths = tls::generate_self_signed(paths_.tls_dir, hostname());
  auto values = settings();
  if (!values.at("tls.cert_file").empty()) set_settings({{"tls.cert_file", ""}, {"tls.key_file", ""}});
  if (hooks_.certificate_changed) hooks_.certificate_changed();
  return tls::describe_certificate_file(paths.cert);
}

tls::CertificateInfo Admin::upload_certificate(const std::string& chain_pem, const std::string& key_pem) {
  auto pair = tls::prepare_pem_pair(chain_pem, key_pem);
  if (pair.problem) throw Invalid(pair.problem->field, pair.problem->message);
  util::make_dirs(paths_.tls_dir, 0700);
  std::string cert = paths_.tls_dir + "/uploaded-cert.pem", key = paths_.tls_dir + "/uploaded-key.pem";
  util::write_file_atomic(key, key_pem, 0600);
  util::write_file_atomic(cert, pair.chain_pem, 0644);
  set_settings({{"tls.cert_file", cert}, {"tls.key_file", key}});
  if (hooks_.certificate_changed) hooks_.certificate_changed();
  return tls::describe_certificate_file(cert);
}

}  // namespace postern::admin
