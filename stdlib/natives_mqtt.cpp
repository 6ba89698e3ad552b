// mqtt.publish, mqtt.retained and mqtt.receive: one short MQTT 3.1.1 session per call
// through libmosquitto, driven by our own loop so that every call ends by its deadline
// (libmosquitto's blocking helpers wait for ever). Checked against the policy — the
// capability net.mqtt to the broker's host:port, and the credential's hosts — before a
// byte leaves.
#include <mosquitto.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cstring>
#include <mutex>
#include <random>

#include "stdlib/natives.hpp"
#include "stdlib/net_stream.hpp"
#include "vm/json_read.hpp"
#include "vm/value_json.hpp"

namespace rbk {

namespace {

// Invalid bytes become U+FFFD: a payload is any bytes, a runbook string is UTF-8.
std::string as_utf8(const char* data, size_t n) {
  std::string out;
  out.reserve(n);
  size_t i = 0;
  auto cont = [&](size_t k) {
    return i + k < n && (static_cast<unsigned char>(data[i + k]) & 0xC0) == 0x80;
  };
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(data[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool ok = len > 0 && (len < 2 || cont(1)) && (len < 3 || cont(2)) && (len < 4 || cont(3));
    if (ok && len == 2 && c < 0xC2) ok = false;  // overlong
    if (ok) {
      out.append(data + i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string describe(int rc) {
  return rc == MOSQ_ERR_ERRNO ? std::string(strerror(errno)) : mosquitto_strerror(rc);
}

// The CONNACK codes of MQTT 3.1.1 (3.2.2.3).
std::string refusal(int code) {
  switch (code) {
    case 1:
      return "the broker refused the connection: unacceptable protocol version";
    case 2:
      return "the broker refused the connection: identifier rejected";
    case 3:
      return "the broker refused the connection: server unavailable";
    case 4:
      return "the broker refused the connection: bad user name or password";
    case 5:
      return "the broker refused the connection: not authorized";
    default:
      return "the broker refused the connection (code " + std::to_string(code) + ")";
  }
}

struct Received {
  std::string topic, payload;
  bool retained = false;
};

// One session: what the callbacks saw, read by the loop that drives it (same thread).
struct Session {
  int connack = -1;  // -1: no CONNACK yet
  bool lost = false;
  int lost_rc = 0;
  std::vector<int> subacked, published;
  std::vector<int> granted;  // the QoS each SUBACK granted (128: refused)
  std::vector<Received> messages;
};

Session& session_of(void* obj) {
  return *static_cast<Session*>(obj);
}

void on_connect(mosquitto*, void* obj, int rc) {
  session_of(obj).connack = rc;
}
void on_disconnect(mosquitto*, void* obj, int rc) {
  session_of(obj).lost = true;
  session_of(obj).lost_rc = rc;
}
void on_subscribe(mosquitto*, void* obj, int mid, int count, const int* qos) {
  session_of(obj).subacked.push_back(mid);
  for (int i = 0; i < count; ++i) session_of(obj).granted.push_back(qos[i]);
}
void on_publish(mosquitto*, void* obj, int mid) {
  session_of(obj).published.push_back(mid);
}
void on_message(mosquitto*, void* obj, const mosquitto_message* m) {
  session_of(obj).messages.push_back(
      Received{m->topic ? m->topic : "",
               as_utf8(static_cast<const char*>(m->payload), static_cast<size_t>(m->payloadlen)),
               m->retain});
}

std::string client_id() {
  static std::mutex m;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(m);
  char buf[32];
  std::snprintf(buf, sizeof buf, "rbk-%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// A connected client, destroyed (after a DISCONNECT) when it goes out of scope.
class Client {
 public:
  Client() {
    static std::once_flag init;
    std::call_once(init, [] { mosquitto_lib_init(); });
    mosq_ = mosquitto_new(client_id().c_str(), true, &s_);
    if (mosq_) {
      mosquitto_connect_callback_set(mosq_, on_connect);
      mosquitto_disconnect_callback_set(mosq_, on_disconnect);
      mosquitto_subscribe_callback_set(mosq_, on_subscribe);
      mosquitto_publish_callback_set(mosq_, on_publish);
      mosquitto_message_callback_set(mosq_, on_message);
    }
  }
  ~Client() {
    if (!mosq_) return;
    if (s_.connack == 0 && !s_.lost) {
      mosquitto_disconnect(mosq_);
      for (int i = 0; i < 5 && !s_.lost; ++i) mosquitto_loop(mosq_, 20, 1);
    }
    mosquitto_destroy(mosq_);
    if (ctx_) SSL_CTX_free(ctx_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects and waits for the CONNACK; "" or why not.
  std::string connect(const Url& url, const ConnectionAuth* auth, Deadline deadline) {
    deadline_ = deadline;
    if (!mosq_) return "cannot make an MQTT client";
    mosquitto_int_option(mosq_, MOSQ_OPT_TCP_NODELAY, 1);
    if (auth && !auth->username.empty())
      mosquitto_username_pw_set(mosq_, auth->username.c_str(),
                                auth->password.empty() ? nullptr : auth->password.c_str());
    if (url.scheme == "mqtts") {
      TlsClientOptions tls;
      if (auth) tls = TlsClientOptions{auth->ca_file, auth->certificate_file, auth->key_pem};
      std::string why;
      ctx_ = client_tls_context(tls, url.host, why);
      if (!ctx_) return why;
      mosquitto_int_option(mosq_, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
      if (int rc = mosquitto_opts_set(mosq_, MOSQ_OPT_SSL_CTX, ctx_); rc != MOSQ_ERR_SUCCESS)
        return "cannot use TLS: " + describe(rc);
    }
    // The keepalive outlasts the call: no PINGREQ is due while it runs.
    int keepalive = static_cast<int>(std::max<int64_t>(ms_left(deadline) / 1000 + 5, 10));
    if (int rc = mosquitto_connect_async(mosq_, url.host.c_str(), url.port, keepalive);
        rc != MOSQ_ERR_SUCCESS)
      return "cannot connect: " + describe(rc);
    if (!run_until([&] { return s_.connack >= 0; })) return why_;
    if (s_.connack != 0) return refusal(s_.connack);
    return "";
  }

  // Drives the session until DONE, the connection is lost or the deadline passes (then
  // false, with why_ set).
  template <typename Done>
  bool run_until(Done done) {
    while (!done()) {
      if (s_.lost) {
        why_ = s_.connack < 0 ? "the connection failed before the broker answered"
                              : "the broker closed the connection";
        if (s_.connack < 0 && s_.lost_rc != 0) why_ += " (" + describe(s_.lost_rc) + ")";
        return false;
      }
      int64_t left = ms_left(deadline_);
      if (left <= 0) {
        why_ = "no answer in time";
        return false;
      }
      int rc = mosquitto_loop(mosq_, static_cast<int>(std::min<int64_t>(left, 100)), 1);
      ack_at_once();
      // A refused CONNACK reaches its callback, then the loop reports the refusal.
      if (rc != MOSQ_ERR_SUCCESS && done()) return true;
      if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
        why_ = s_.connack < 0 ? "cannot connect: " + describe(rc) : describe(rc);
        if (rc == MOSQ_ERR_TLS) why_ = "the TLS handshake failed (" + tls_reason() + ")";
        return false;
      }
    }
    return true;
  }

  // Acknowledges what arrived without delay. A broker with Nagle's algorithm on (Mosquitto's
  // default) holds a small packet — the fence's SUBACK after a retained message — until its
  // last one is acknowledged, and Linux delays that ACK by 40 ms when the client has
  // nothing to send; the kernel clears the flag as it goes, so it is set after every read.
  void ack_at_once() {
    int fd = mosquitto_socket(mosq_);
    int one = 1;
    if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
  }

  mosquitto* get() { return mosq_; }
  Session& session() { return s_; }
  const std::string& why() const { return why_; }

 private:
  std::string tls_reason() {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (!e) return "the broker's certificate or the client certificate was not accepted";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
  }

  Session s_;
  mosquitto* mosq_ = nullptr;
  SSL_CTX* ctx_ = nullptr;
  std::string why_;
  Deadline deadline_{};
};

Value message_value(const Received& m, bool with_retained) {
  Value data = Value::null();
  try {
    data = from_plain_json(read_json(m.payload));
  } catch (const std::exception&) {
  }
  std::vector<std::string> keys{"topic", "payload", "data"};
  std::vector<Value> values{Value::string(m.topic), Value::string(m.payload), data};
  if (with_retained) {
    keys.push_back("retained");
    values.push_back(Value::boolean(m.retained));
  }
  return Value::record(std::move(keys), std::move(values));
}

}  // namespace

Value Natives::mqtt(const FunctionInfo& fn, const std::vector<Value>& args) {
  static const std::map<std::string, int> schemes{{"mqtt", 1883}, {"mqtts", 8883}};
  const std::string broker = args.at(0).str(), topic = args.at(1).str();
  Url url;
  if (!parse_url(broker, schemes, url))
    return Value::error(fn.name + ": " + broker +
                        " is not a broker URL (mqtt://host:port, or mqtts:// for TLS)");
  const NativeId id = *fn.native;
  const bool subscribing = id != NativeId::MqttPublish;
  if (topic.empty() || (!subscribing && topic.find_first_of("+#") != std::string::npos) ||
      topic.find('\0') != std::string::npos)
    return Value::error(fn.name + ": \"" + topic + "\" is not a topic" +
                        (subscribing ? " filter" : " to publish to (no wildcards)"));
  if (id == NativeId::MqttPublish && (args.at(3).i < 0 || args.at(3).i > 2))
    return Value::error(fn.name + ": QoS is 0, 1 or 2, not " + std::to_string(args.at(3).i));
  allow(fn, url.host_port());
  const size_t auth_arg = id == NativeId::MqttPublish ? 6 : id == NativeId::MqttRetained ? 3 : 4;
  ConnectionAuth auth;
  bool has_auth = connection_auth(fn, args.at(auth_arg).str(), url.host, url.port, auth);
  const int64_t timeout = id == NativeId::MqttPublish ? args.at(5).i : args.at(2).i;
  const std::string where = fn.name + " " + broker + " " + topic + ": ";

  Client client;
  // A receive waits for WITHIN after connecting; connecting has its own 10 s at most.
  Deadline deadline =
      deadline_in(id == NativeId::MqttReceive ? std::min<int64_t>(timeout, 10'000) : timeout);
  if (std::string why = client.connect(url, has_auth ? &auth : nullptr, deadline); !why.empty())
    return Value::error(where + why);
  Session& s = client.session();

  if (id == NativeId::MqttPublish) {
    const int64_t qos = args.at(3).i;  // (checked before connecting)
    const Value& payload = args.at(2);
    std::string text =
        payload.kind == ValueKind::String ? payload.str() : to_plain_json(payload).dump();
    int mid = 0;
    int rc = mosquitto_publish(client.get(), &mid, topic.c_str(), static_cast<int>(text.size()),
                               text.data(), static_cast<int>(qos), args.at(4).b);
    if (rc != MOSQ_ERR_SUCCESS) return Value::error(where + describe(rc));
    auto taken = [&] {
      return std::find(s.published.begin(), s.published.end(), mid) != s.published.end();
    };
    if (!client.run_until(taken))
      return Value::error(where + "the broker did not acknowledge the message: " + client.why());
    return Value::null();
  }

  int sub = 0;
  if (int rc = mosquitto_subscribe(client.get(), &sub, topic.c_str(), 0); rc != MOSQ_ERR_SUCCESS)
    return Value::error(where + describe(rc));
  auto acked = [&](int mid) {
    return [&s, mid] {
      return std::find(s.subacked.begin(), s.subacked.end(), mid) != s.subacked.end();
    };
  };
  if (!client.run_until(acked(sub)))
    return Value::error(where + "no answer to the subscription: " + client.why());
  if (!s.granted.empty() && s.granted.front() == 0x80)
    return Value::error(where + "the broker refused the subscription (not authorized)");

  if (id == NativeId::MqttRetained) {
    // The broker sends a subscription's retained messages before it reads the client's
    // next packet: once a second subscription is acknowledged, every retained message of
    // the first has arrived. No waiting on a clock, and nothing published.
    int fence = 0;
    const std::string fence_topic = "rbk/fence/" + client_id();
    if (int rc = mosquitto_subscribe(client.get(), &fence, fence_topic.c_str(), 0);
        rc != MOSQ_ERR_SUCCESS)
      return Value::error(where + describe(rc));
    if (!client.run_until(acked(fence)))
      return Value::error(where + "no answer to the subscription: " + client.why());
    std::vector<Value> out;
    for (const auto& m : s.messages)
      if (m.retained) out.push_back(message_value(m, false));
    return Value::list(std::move(out));
  }

  // mqtt.receive: the first message (retained ones count when asked) within WITHIN.
  const bool take_retained = args.at(3).b;
  Deadline until = deadline_in(timeout);
  for (;;) {
    for (const auto& m : s.messages)
      if (take_retained || !m.retained) return message_value(m, true);
    s.messages.clear();
    if (ms_left(until) <= 0) return Value::null();
    int rc =
        mosquitto_loop(client.get(), static_cast<int>(std::min<int64_t>(ms_left(until), 100)), 1);
    client.ack_at_once();
    if (s.lost || (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN))
      return Value::error(where + "the broker closed the connection");
  }
}

}  // namespace rbk
