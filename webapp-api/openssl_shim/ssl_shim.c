/* libssl.so for CivetWeb: Debian 12's CivetWeb 1.15 dlopen()s "libssl.so" and looks up the
 * OpenSSL 1.1 names, one of which OpenSSL 3 no longer exports (SSL_get_peer_certificate is a
 * macro there). This library carries that name, depends on the real libssl.so.3 for all the
 * others (dlsym on a handle searches its dependencies too), and has the soname "libssl.so",
 * so once the daemon has loaded it CivetWeb's dlopen("libssl.so") gets this one. The package
 * ships it as lib/libssl.so. */
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate
X509 *SSL_get_peer_certificate(const SSL *ssl);

X509 *SSL_get_peer_certificate(const SSL *ssl) { return SSL_get1_peer_certificate(ssl); }
