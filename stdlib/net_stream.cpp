#include "stdlib/net_stream.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "vm/value.hpp"

namespace rbk {

Deadline deadline_in(int64_t ms) {
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max<int64_t>(ms, 0));
}

int64_t ms_left(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::steady_clock::now())
                  .count();
  return left > 0 ? left : 0;
}

int connect_with_timeout(const std::string& host, int port, int64_t timeout_ms, std::string& why) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    why = std::string("cannot resolve ") + host + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  why = "connection refused";
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int n = poll(&p, 1, static_cast<int>(timeout_ms));
      int err = 0;
      socklen_t len = sizeof err;
      if (n == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) break;
      why = n == 0 ? "connection timed out after " + format_duration(timeout_ms)
                   : std::string(strerror(err ? err : errno));
    } else {
      why = strerror(errno);
    }
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

namespace {

std::string openssl_error(const char* fallback) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return fallback;
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

}  // namespace

ssl_ctx_st* client_tls_context(const TlsClientOptions& options, const std::string& host,
                               std::string& why) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    why = "cannot make a TLS context: " + openssl_error("out of memory");
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  auto fail = [&](const std::string& what) {
    why = what;
    SSL_CTX_free(ctx);
    return nullptr;
  };
  if (options.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
      return fail("cannot load the system's trust store: " + openssl_error("unknown error"));
  } else if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
    return fail("cannot read the CA file " + options.ca_file + ": " +
                openssl_error("not PEM certificates"));
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  // The name is checked during the handshake by every connection made from this context.
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1)
    return fail("cannot verify the name " + host);
  if (!options.certificate_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.certificate_file.c_str()) != 1)
      return fail("cannot read the client certificate " + options.certificate_file + ": " +
                  openssl_error("not a PEM certificate"));
    BIO* bio = BIO_new_mem_buf(options.key_pem.data(), static_cast<int>(options.key_pem.size()));
    EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    ERR_clear_error();  // never a message that could quote the key
    bool used = key && SSL_CTX_use_PrivateKey(ctx, key) == 1;
    EVP_PKEY_free(key);
    if (!key) return fail("the client certificate's key is not a PEM private key");
    if (!used || SSL_CTX_check_private_key(ctx) != 1) {
      ERR_clear_error();
      return fail("the key does not belong to the client certificate " + options.certificate_file);
    }
  }
  return ctx;
}

NetStream::~NetStream() {
  if (ssl_) {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
  if (ctx_) SSL_CTX_free(ctx_);
  if (fd_ >= 0) close(fd_);
}

bool NetStream::wait_for(short events, std::string& why) {
  pollfd p{fd_, events, 0};
  int n = poll(&p, 1, static_cast<int>(ms_left(deadline_)));
  if (n > 0) return true;
  why = n == 0 ? where_ + ": no answer in time" : where_ + ": " + strerror(errno);
  return false;
}

bool NetStream::open(const std::string& host, int port, bool tls, const TlsClientOptions& options,
                     Deadline deadline, std::string& why) {
  deadline_ = deadline;
  where_ = host + ":" + std::to_string(port);
  fd_ = connect_with_timeout(host, port, ms_left(deadline), why);
  if (fd_ < 0) return false;
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  if (!tls) return true;
  ctx_ = client_tls_context(options, host, why);
  if (!ctx_) return false;
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  SSL_set_tlsext_host_name(ssl_, host.c_str());
  for (;;) {
    int rc = SSL_connect(ssl_);
    if (rc == 1) return true;
    int err = SSL_get_error(ssl_, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!wait_for(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, why)) return false;
      continue;
    }
    long verify = SSL_get_verify_result(ssl_);
    why = "TLS handshake with " + where_ + " failed: " +
          (verify != X509_V_OK ? std::string(X509_verify_cert_error_string(verify))
                               : openssl_error("the server closed the connection"));
    return false;
  }
}

bool NetStream::write_all(std::string_view data, std::string& why) {
  size_t sent = 0;
  while (sent < data.size()) {
    if (ssl_) {
      int rc = SSL_write(ssl_, data.data() + sent, static_cast<int>(data.size() - sent));
      if (rc > 0) {
        sent += static_cast<size_t>(rc);
        continue;
      }
      int err = SSL_get_error(ssl_, rc);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        why = where_ + ": the connection failed: " + openssl_error("closed");
        return false;
      }
      if (!wait_for(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, why)) return false;
    } else {
      ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        why = where_ + ": " + strerror(errno);
        return false;
      }
      if (!wait_for(POLLOUT, why)) return false;
    }
  }
  return true;
}

bool NetStream::read_some(std::string& buf, std::string& why) {
  char chunk[16384];
  for (;;) {
    if (ssl_) {
      int rc = SSL_read(ssl_, chunk, sizeof chunk);
      if (rc > 0) {
        buf.append(chunk, static_cast<size_t>(rc));
        return true;
      }
      int err = SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_ZERO_RETURN) {
        why = where_ + " closed the connection";
        return false;
      }
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        why = where_ + ": the connection failed: " + openssl_error("closed");
        return false;
      }
      if (!wait_for(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, why)) return false;
    } else {
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        buf.append(chunk, static_cast<size_t>(n));
        return true;
      }
      if (n == 0) {
        why = where_ + " closed the connection";
        return false;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        why = where_ + ": " + strerror(errno);
        return false;
      }
      if (!wait_for(POLLIN, why)) return false;
    }
  }
}

}  // namespace rbk
