#include "stdlib/live_host.hpp"

#include <chrono>
#include <thread>

#include "stdlib/config.hpp"

namespace rbk {

LiveHost::LiveHost(const Capabilities& allowed, std::map<std::string, Value> config,
                   TraceSink& sink, std::shared_ptr<Credentials> credentials)
    : allowed_(allowed),
      credentials_(std::move(credentials)),
      natives_(allowed, credentials_.get()),
      config_(std::move(config)),
      sink_(sink) {
  for (const auto& [name, v] : config_)
    if (is_secret_name(name) && v.kind == ValueKind::String && v.str().size() >= 4)
      secrets_.push_back(v.str());
}

namespace {
// Where a child's host sends trace events: nowhere (the run traces its children, and a
// sink is not shared between threads).
class Discard : public TraceSink {
 public:
  void event(const TraceEvent&, int64_t) override {}
};
Discard discard;
}  // namespace

std::unique_ptr<Host> LiveHost::child_host(const std::string&) {
  return std::make_unique<LiveHost>(allowed_, config_, discard, credentials_);
}

std::unique_ptr<Host> DryRunHost::child_host(const std::string&) {
  return std::make_unique<DryRunHost>(allowed_, config_, discard, credentials_);
}

std::optional<Value> LiveHost::call(const FunctionInfo& fn, const std::vector<Value>& args,
                                    const Site&) {
  if (fn.code != kNone) return std::nullopt;  // a declared probe: the VM runs its body
  if (Natives::has(fn)) return natives_.call(fn, args);
  return Value::error("no native '" + fn.name + "' in this build");
}

ActOutcome LiveHost::act(const PlannedCall& call, const Site& site) {
  if (call.function->code != kNone) return ActOutcome{ActOutcome::Kind::RunBody, {}};
  return ActOutcome{ActOutcome::Kind::Performed, *this->call(*call.function, call.args, site)};
}

int64_t LiveHost::now() {
  return system_now_ms();
}

void LiveHost::sleep(int64_t ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

std::optional<Value> LiveHost::await_signal(const std::string& name, int64_t deadline_ms,
                                            const std::function<bool()>& stop) {
  while (true) {
    if (take_signal_)
      if (std::optional<Value> v = take_signal_(name)) return v;
    int64_t left = deadline_ms - now();
    if (left <= 0 || stop()) return std::nullopt;
    sleep(std::min<int64_t>(left, 500));
  }
}

Value LiveHost::config(const std::string& name) {
  auto it = config_.find(name);
  if (it != config_.end()) return it->second;
  return Value::error("configuration value '" + name + "' is not set");
}

namespace {
Value redact(const Value& v, const std::vector<std::string>& secrets) {
  switch (v.kind) {
    case ValueKind::String:
    case ValueKind::Error: {
      std::string s = v.str();
      bool changed = false;
      for (const auto& secret : secrets)
        for (size_t at; (at = s.find(secret)) != std::string::npos; changed = true)
          s.replace(at, secret.size(), "[redacted]");
      if (!changed) return v;
      return v.kind == ValueKind::String ? Value::string(s) : Value::error(s);
    }
    case ValueKind::List: {
      std::vector<Value> items;
      for (const auto& x : v.items()) items.push_back(redact(x, secrets));
      return Value::list(std::move(items));
    }
    case ValueKind::Record: {
      std::vector<Value> items;
      for (const auto& x : v.items()) items.push_back(redact(x, secrets));
      return Value::record(v.keys(), std::move(items));
    }
    default:
      return v;
  }
}
}  // namespace

// Secrets of the configuration, and those of the credentials (read, or made: tokens,
// signatures), never reach a sink: a service that echoes a header back is redacted too.
void LiveHost::trace(const TraceEvent& event) {
  if (&sink_ == &discard) return;  // a fleet child's host: nothing to redact for nobody
  std::vector<std::string> secrets = secrets_;
  if (credentials_)
    for (auto& s : credentials_->secrets()) secrets.push_back(std::move(s));
  if (secrets.empty()) {
    sink_.event(event, now());
    return;
  }
  TraceEvent copy = event;
  for (auto& f : copy.fields) f.value = redact(f.value, secrets);
  sink_.event(copy, now());
}

}  // namespace rbk
