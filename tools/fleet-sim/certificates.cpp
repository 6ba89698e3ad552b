#include "certificates.hpp"

#include "rfc3339.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <mutex>

namespace fleetsim {

namespace {

EVP_PKEY* new_key() {
  return EVP_EC_gen("P-256");
}

void set_name(X509_NAME* name, const std::string& cn) {
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
}

// A random positive 64-bit serial; its hex form.
std::string set_serial(X509* cert) {
  unsigned char bytes[8];
  RAND_bytes(bytes, sizeof bytes);
  bytes[0] &= 0x7F;
  bytes[0] |= 0x10;  // no leading zero byte: the hex form has a fixed width
  BIGNUM* bn = BN_bin2bn(bytes, sizeof bytes, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  char* hex = BN_bn2hex(bn);
  std::string out = hex;
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

struct Authority {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  Authority() {
    key = new_key();
    cert = X509_new();
    X509_set_version(cert, 2);
    set_serial(cert);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 86400);
    X509_set_pubkey(cert, key);
    set_name(X509_get_subject_name(cert), "fleet-sim provisioning CA");
    set_name(X509_get_issuer_name(cert), "fleet-sim provisioning CA");
    X509_sign(cert, key, EVP_sha256());
  }
};

}  // namespace

IssuedCertificate issue_certificate(const std::string& device, int days) {
  static Authority ca;
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  IssuedCertificate out;
  EVP_PKEY* key = new_key();
  X509* cert = X509_new();
  if (!key || !cert || !ca.cert) {
    out.error = "cannot make a certificate";
  } else {
    X509_set_version(cert, 2);
    out.serial = set_serial(cert);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(days) * 86400);
    X509_set_pubkey(cert, key);
    set_name(X509_get_subject_name(cert), device);
    X509_set_issuer_name(cert, X509_get_subject_name(ca.cert));
    X509_sign(cert, ca.key, EVP_sha256());
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    out.pem.assign(data, static_cast<size_t>(n));
    BIO_free(bio);
    out.not_after = rfc3339(std::time(nullptr) + static_cast<std::time_t>(days) * 86400);
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

}  // namespace fleetsim
