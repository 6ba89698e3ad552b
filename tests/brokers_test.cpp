// The mqtt.* and redis.* natives against the real servers, started by the tests in a
// temporary directory on loopback (broker_servers.hpp): Debian's Mosquitto and
// redis-server. A device is simulated with the natives themselves and with Mosquitto's own
// clients.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "broker_servers.hpp"
#include "native_calls.hpp"
#include "stdlib/natives.hpp"
#include "stdlib/net_stream.hpp"
#include "test_support.hpp"
#include "vm/value_json.hpp"

namespace rbk::test {
namespace {

Servers& servers() {
  static Servers s;
  return s;
}

// A policy allowing loopback for MQTT and Redis, with the test's credentials.
struct Client {
  Capabilities allowed = allow_loopback();
  std::unique_ptr<Credentials> credentials;
  std::unique_ptr<Natives> natives;

  explicit Client(const std::string& credentials_json = "{}") {
    const auto& d = servers().tmp.path;
    allowed.hosts["net.mqtt"] = {"127.0.0.1", "localhost"};
    allowed.hosts["net.redis"] = {"127.0.0.1", "localhost"};
    write_text(d / "mqtt.pw", "s3cret-pw\n");
    write_text(d / "redis.pw", "r3dis-pw\n");
    write_text(d / "reader.pw", "reader-pw\n");
    credentials = std::make_unique<Credentials>(
        parse_credentials(nlohmann::json::parse(credentials_json)), [] { return system_now_ms(); },
        nullptr);
    natives = std::make_unique<Natives>(allowed, credentials.get());
  }
  Value call(const std::string& name, std::vector<Value> args) {
    return natives->call(native(name), args);
  }
  Value publish(const std::string& broker, const std::string& topic, Value payload,
                bool retain = false, const std::string& auth = "", int64_t qos = 1) {
    return call("mqtt.publish", {Value::string(broker), Value::string(topic), std::move(payload),
                                 Value::integer(qos), Value::boolean(retain), Value::duration(5000),
                                 Value::string(auth)});
  }
  Value retained(const std::string& broker, const std::string& topic,
                 const std::string& auth = "") {
    return call("mqtt.retained", {Value::string(broker), Value::string(topic),
                                  Value::duration(5000), Value::string(auth)});
  }
  Value receive(const std::string& broker, const std::string& topic, int64_t within_ms,
                bool with_retained = true, const std::string& auth = "") {
    return call("mqtt.receive",
                {Value::string(broker), Value::string(topic), Value::duration(within_ms),
                 Value::boolean(with_retained), Value::string(auth)});
  }
  Value redis(const std::string& name, const std::string& server, Value arg,
              const std::string& auth = "") {
    return call(
        name, {Value::string(server), std::move(arg), Value::duration(3000), Value::string(auth)});
  }
};

std::string dir() {
  return servers().tmp.path.string();
}

std::string password_credentials() {
  return R"({"broker": {"type": "password", "hosts": ["127.0.0.1"], "username": "ops",
                        "password_file": ")" +
         dir() + R"(/mqtt.pw"},
             "cache": {"type": "password", "hosts": ["127.0.0.1", "localhost"],
                       "ca_file": ")" +
         dir() + R"(/ca.pem", "password_file": ")" + dir() + R"(/redis.pw"},
             "device": {"type": "client_certificate", "hosts": ["localhost"],
                        "ca_file": ")" +
         dir() + R"(/ca.pem", "certificate_file": ")" + dir() + R"(/client.pem",
                        "key_file": ")" +
         dir() + R"(/client.key"},
             "stranger": {"type": "client_certificate", "hosts": ["localhost"],
                        "ca_file": ")" +
         dir() + R"(/other.pem", "certificate_file": ")" + dir() + R"(/client.pem",
                        "key_file": ")" +
         dir() + R"(/client.key"},
             "token": {"type": "bearer", "hosts": ["127.0.0.1"], "token_file": ")" +
         dir() + R"(/mqtt.pw"}})";
}

class Brokers : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!servers().problem.empty()) FAIL() << servers().problem;
  }
};

TEST_F(Brokers, PublishesARetainedMessageAndReadsItBack) {
  Client r;
  const std::string b = servers().mqtt(servers().mqtt_open);
  EXPECT_TRUE(r.retained(b, "sensor-1/config/reported").items().empty())
      << "nothing retained yet: an empty list at once, no waiting";
  Value payload = from_plain_json(nlohmann::json{{"serial", "0A1B"}, {"status", "ok"}});
  ASSERT_FALSE(r.publish(b, "sensor-1/config/reported", payload, true).is_error());
  Value got = r.retained(b, "sensor-1/config/reported");
  ASSERT_EQ(got.items().size(), 1u) << to_display(got);
  const Value& m = got.items()[0];
  EXPECT_EQ(m.field("topic")->str(), "sensor-1/config/reported");
  EXPECT_EQ(m.field("payload")->str(), R"({"serial":"0A1B","status":"ok"})");
  EXPECT_EQ(m.field("data")->field("serial")->str(), "0A1B") << "JSON payloads are read";
  // A string is published as it is; a filter gathers every retained topic it matches.
  ASSERT_FALSE(
      r.publish(b, "sensor-2/config/reported", Value::string("not json"), true).is_error());
  Value both = r.retained(b, "+/config/reported");
  ASSERT_EQ(both.items().size(), 2u) << to_display(both);
  for (const auto& item : both.items())
    if (item.field("topic")->str() == "sensor-2/config/reported") {
      EXPECT_EQ(item.field("payload")->str(), "not json");
      EXPECT_EQ(item.field("data")->kind, ValueKind::Null);
    }
}

TEST_F(Brokers, ReceivesTheDevicesAnswerWithinTheTimeOrNull) {
  Client r;
  const std::string b = servers().mqtt(servers().mqtt_open);
  // A device (mosquitto's own clients) that answers its retained config/desired with a
  // retained config/reported, as a device shadow does: neither side depends on who
  // subscribed first.
  const std::string port = std::to_string(servers().mqtt_open);
  const std::string device = "/usr/bin/mosquitto_sub -h 127.0.0.1 -p " + port +
                             " -C 1 -W 20 -t sensor-9/config/desired >/dev/null && "
                             "/usr/bin/mosquitto_pub -h 127.0.0.1 -p " +
                             port + " -r -t sensor-9/config/reported -m '{\"serial\": \"77\"}'";
  std::thread answering([&] { run(device); });
  ASSERT_FALSE(r.publish(b, "sensor-9/config/desired", Value::string("{}"), true).is_error());
  Value answer = r.receive(b, "sensor-9/config/reported", 15000);
  answering.join();
  ASSERT_EQ(answer.kind, ValueKind::Record) << to_display(answer);
  EXPECT_EQ(answer.field("data")->field("serial")->str(), "77");

  // With retained: false, only a message published after the subscription counts: the
  // retained report does not, a new one (sent until the receiver has it) does.
  std::atomic<bool> done{false};
  Value fresh = Value::null();
  std::thread receiver([&] {
    fresh = r.receive(b, "sensor-9/config/reported", 10000, false);
    done = true;
  });
  for (int i = 0; i < 100 && !done; ++i) {
    r.publish(b, "sensor-9/config/reported", Value::string("{\"serial\": \"78\"}"), false, "", 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  receiver.join();
  ASSERT_EQ(fresh.kind, ValueKind::Record) << to_display(fresh);
  EXPECT_EQ(fresh.field("data")->field("serial")->str(), "78");
  EXPECT_FALSE(fresh.field("retained")->b);

  auto t0 = std::chrono::steady_clock::now();
  Value none = r.receive(b, "sensor-9/never", 400);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_EQ(none.kind, ValueKind::Null) << to_display(none);
  EXPECT_GE(ms, 400);
  EXPECT_LT(ms, 5000) << "the wait ends at its time";
  // A retained message counts unless told otherwise.
  ASSERT_FALSE(r.publish(b, "sensor-9/state", Value::string("up"), true).is_error());
  EXPECT_TRUE(r.receive(b, "sensor-9/state", 2000).field("retained")->b);
  EXPECT_EQ(r.receive(b, "sensor-9/state", 300, false).kind, ValueKind::Null);
}

TEST_F(Brokers, ReadsMosquittosStatisticsFromSys) {
  Client r;
  const std::string b = servers().mqtt(servers().mqtt_open);
  Value stats = Value::list({});
  // $SYS is published every second (sys_interval 1): bounded wait for the first round.
  for (int i = 0; i < 50 && stats.items().size() < 5; ++i) {
    stats = r.retained(b, "$SYS/broker/#");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  bool version = false, clients = false;
  for (const auto& m : stats.items()) {
    version |= m.field("topic")->str() == "$SYS/broker/version";
    clients |= m.field("topic")->str() == "$SYS/broker/clients/connected";
  }
  EXPECT_TRUE(version && clients) << to_display(stats);
}

TEST_F(Brokers, PasswordsAndClientCertificatesFromTheCredentials) {
  Client r(password_credentials());
  const std::string pw = servers().mqtt(servers().mqtt_password);
  Value refused = r.publish(pw, "a/b", Value::string("x"));
  ASSERT_TRUE(refused.is_error());
  EXPECT_NE(refused.str().find("not authorized"), std::string::npos) << refused.str();
  EXPECT_FALSE(r.publish(pw, "a/b", Value::string("x"), false, "broker").is_error());

  const std::string tls = servers().mqtt(servers().mqtt_tls, true);
  EXPECT_FALSE(
      r.publish(tls, "device-7/config/reported", Value::string("{}"), true, "device").is_error());
  EXPECT_EQ(r.retained(tls, "device-7/config/reported", "device").items().size(), 1u);
  Value untrusted = r.publish(tls, "a/b", Value::string("x"), false, "stranger");
  ASSERT_TRUE(untrusted.is_error());
  EXPECT_NE(untrusted.str().find("TLS"), std::string::npos) << untrusted.str();
  // Without a client certificate the broker closes the handshake.
  EXPECT_TRUE(r.publish(tls, "a/b", Value::string("x")).is_error());
  // No error names a secret.
  for (const auto& v : {refused, untrusted})
    EXPECT_EQ(v.str().find("s3cret"), std::string::npos) << v.str();
}

TEST_F(Brokers, ThePolicyIsCheckedBeforeAnyConnection) {
  Client r(password_credentials());
  const std::string b = servers().mqtt(servers().mqtt_open);
  r.allowed.hosts["net.mqtt"] = {"broker.example"};
  try {
    r.publish(b, "a/b", Value::string("x"));
    FAIL() << "published to a host the policy does not list";
  } catch (const HostFault& f) {
    EXPECT_NE(std::string(f.what()).find("does not allow net.mqtt to 127.0.0.1"), std::string::npos)
        << f.what();
  }
  r.allowed.hosts["net.mqtt"] = {"127.0.0.1", "localhost"};
  try {
    r.publish(b, "a/b", Value::string("x"), false, "token");
    FAIL() << "a bearer token went to a broker";
  } catch (const HostFault& f) {
    EXPECT_NE(std::string(f.what()).find("for HTTP requests"), std::string::npos) << f.what();
  }
  try {
    r.publish(servers().mqtt(servers().mqtt_tls, true), "a/b", Value::string("x"), false, "broker");
    FAIL() << "a credential went to a host it does not list";
  } catch (const HostFault& f) {
    EXPECT_NE(std::string(f.what()).find("may not be sent to localhost"), std::string::npos)
        << f.what();
  }
  EXPECT_TRUE(r.publish("http://127.0.0.1:1", "a/b", Value::string("x")).is_error());
  EXPECT_TRUE(r.publish(b, "a/+", Value::string("x")).is_error()) << "no wildcard to publish to";
  EXPECT_TRUE(r.publish(b, "a/b", Value::string("x"), false, "", 3).is_error());
  Value closed =
      r.publish("mqtt://127.0.0.1:" + std::to_string(free_port()), "a/b", Value::string("x"));
  ASSERT_TRUE(closed.is_error());
  EXPECT_NE(closed.str().find("mqtt.publish mqtt://127.0.0.1:"), std::string::npos) << closed.str();
}

TEST_F(Brokers, RedisTtlSetSizeAndReadOnlyCommands) {
  servers().redis_cli("SET dedup:sensor-1 x PX 90000");
  servers().redis_cli("SET forever y");
  servers().redis_cli("SADD seen:sensor-1 a b c");
  servers().redis_cli("ACL SETUSER reader on '>reader-pw' '~*' '+@read'");
  Client r(password_credentials());
  const std::string plain = servers().redis_url();
  Value ttl = r.redis("redis.ttl", plain, Value::string("dedup:sensor-1"), "cache");
  ASSERT_EQ(ttl.kind, ValueKind::Record) << to_display(ttl);
  EXPECT_TRUE(ttl.field("exists")->b);
  EXPECT_GT(ttl.field("ttl")->i, 80'000);
  EXPECT_LE(ttl.field("ttl")->i, 90'000);
  Value forever = r.redis("redis.ttl", plain, Value::string("forever"), "cache");
  EXPECT_TRUE(forever.field("exists")->b);
  EXPECT_EQ(forever.field("ttl")->kind, ValueKind::Null);
  EXPECT_FALSE(r.redis("redis.ttl", plain, Value::string("gone"), "cache").field("exists")->b);
  EXPECT_EQ(r.redis("redis.set_size", plain, Value::string("seen:sensor-1"), "cache").i, 3);
  EXPECT_EQ(r.redis("redis.set_size", plain, Value::string("none"), "cache").i, 0);
  Value members =
      r.redis("redis.read", plain,
              Value::list({Value::string("smembers"), Value::string("seen:sensor-1")}), "cache");
  EXPECT_EQ(members.items().size(), 3u) << to_display(members);
  // Over TLS, with the server's name verified against the test's CA.
  EXPECT_EQ(
      r.redis("redis.set_size", servers().redis_url(true), Value::string("seen:sensor-1"), "cache")
          .i,
      3);
  // Refused: no credential, a wrong type on a key, a command that writes (never sent).
  Value noauth = r.redis("redis.set_size", plain, Value::string("seen:sensor-1"));
  ASSERT_TRUE(noauth.is_error());
  EXPECT_NE(noauth.str().find("NOAUTH"), std::string::npos) << noauth.str();
  Value wrong = r.redis("redis.set_size", plain, Value::string("forever"), "cache");
  ASSERT_TRUE(wrong.is_error());
  EXPECT_NE(wrong.str().find("WRONGTYPE"), std::string::npos) << wrong.str();
  Value write = r.redis("redis.read", plain,
                        Value::list({Value::string("DEL"), Value::string("forever")}), "cache");
  ASSERT_TRUE(write.is_error());
  EXPECT_NE(write.str().find("not a read-only command"), std::string::npos);
  EXPECT_TRUE(r.redis("redis.ttl", plain, Value::string("forever"), "cache").field("exists")->b);
  // Another database of the server (redis://host:port/1) holds none of these.
  EXPECT_EQ(r.redis("redis.set_size", servers().redis_url(false, "/1"),
                    Value::string("seen:sensor-1"), "cache")
                .i,
            0);
}

TEST_F(Brokers, RedisUserNamesAndWrongPasswords) {
  Client r(R"({"reader": {"type": "password", "hosts": ["127.0.0.1"], "username": "reader",
                       "password_file": ")" +
           dir() + R"(/reader.pw"},
            "wrong": {"type": "password", "hosts": ["127.0.0.1"], "password_file": ")" +
           dir() + R"(/mqtt.pw"}})");
  servers().redis_cli("ACL SETUSER reader on '>reader-pw' '~*' '+@read'");
  servers().redis_cli("SADD seen:sensor-2 a");
  const std::string plain = servers().redis_url();
  EXPECT_EQ(r.redis("redis.set_size", plain, Value::string("seen:sensor-2"), "reader").i, 1);
  Value wrong = r.redis("redis.set_size", plain, Value::string("seen:sensor-2"), "wrong");
  ASSERT_TRUE(wrong.is_error());
  EXPECT_NE(wrong.str().find("refused the credential"), std::string::npos) << wrong.str();
  EXPECT_EQ(wrong.str().find("s3cret"), std::string::npos) << wrong.str();
}

}  // namespace
}  // namespace rbk::test
