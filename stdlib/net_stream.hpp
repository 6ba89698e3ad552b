// A client connection over TCP, optionally TLS, with a deadline on every step: what the
// socket-level natives (tcp.connect, tls.peer_certificate) and the Redis natives speak
// over, and the verified TLS context the MQTT client is given (libmosquitto takes an
// SSL_CTX). Server certificates are verified against the system's trust store or a CA
// file, and the server's name is checked; a client certificate's key comes as PEM text
// (a credential's secret), never from a path the process would have to keep readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX
struct ssl_st;      // OpenSSL's SSL

namespace rbk {

using Deadline = std::chrono::steady_clock::time_point;
Deadline deadline_in(int64_t ms);
// Milliseconds left before DEADLINE (0 once it passed).
int64_t ms_left(Deadline deadline);

// A TCP connection with a timeout: the socket (blocking), or -1 with WHY set.
int connect_with_timeout(const std::string& host, int port, int64_t timeout_ms, std::string& why);

struct TlsClientOptions {
  std::string ca_file;           // "" : the system's trust store
  std::string certificate_file;  // a client certificate (PEM), "" for none
  std::string key_pem;           // its private key, PEM text
};

// A client context that verifies the server's chain and that its certificate names HOST;
// null with WHY set (a CA file or client certificate that cannot be read, a key that does
// not match). The caller frees it (SSL_CTX_free).
ssl_ctx_st* client_tls_context(const TlsClientOptions& options, const std::string& host,
                               std::string& why);

// One connection: plain TCP or TLS. Every read and write gives up at the deadline given
// to open.
class NetStream {
 public:
  NetStream() = default;
  NetStream(const NetStream&) = delete;
  NetStream& operator=(const NetStream&) = delete;
  ~NetStream();

  // Connects to HOST:PORT (a TLS handshake when TLS); false with WHY set.
  bool open(const std::string& host, int port, bool tls, const TlsClientOptions& options,
            Deadline deadline, std::string& why);
  bool write_all(std::string_view data, std::string& why);
  // Appends what arrives to BUF (at least one byte); false on end, error or the deadline.
  bool read_some(std::string& buf, std::string& why);

 private:
  bool wait_for(short events, std::string& why);

  int fd_ = -1;
  ssl_ctx_st* ctx_ = nullptr;
  ssl_st* ssl_ = nullptr;
  Deadline deadline_{};
  std::string where_;
};

}  // namespace rbk
