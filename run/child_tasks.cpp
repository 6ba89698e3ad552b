#include "run/child_tasks.hpp"

#include <nlohmann/json.hpp>

#include <thread>

#include "run/journal.hpp"
#include "run/session.hpp"
#include "vm/json_read.hpp"
#include "vm/machine.hpp"
#include "vm/value_json.hpp"

namespace rbk {

namespace {

// How often the run looks for its children's reports while none has come: soon after one
// came (more are due), less often the longer none comes.
constexpr auto kReportPollFirst = std::chrono::milliseconds(2);
constexpr auto kReportPollLast = std::chrono::milliseconds(20);
// A run's context (program, world, writer) is dropped once none of its children came for
// this long.
constexpr auto kContextIdle = std::chrono::seconds(60);

// Where a taken child's world sends trace events: nowhere (the run traces its children).
class Discard : public TraceSink {
 public:
  void event(const TraceEvent&, int64_t) override {}
};
Discard discard;

}  // namespace

void StoreChildQueue::publish(const std::vector<ChildTask>& tasks) {
  std::vector<StoredChildTask> stored;
  stored.reserve(tasks.size());
  for (const ChildTask& t : tasks)
    stored.push_back(StoredChildTask{run_, t.scope, t.runbook,
                                     to_tagged_json(Value::list(t.args)).dump(), t.depth,
                                     t.wave_approved, 0});
  store_.publish_children(run_, stored);
}

std::vector<ChildReport> StoreChildQueue::finished(const std::vector<std::string>& scopes,
                                                   std::chrono::steady_clock::time_point deadline) {
  std::chrono::steady_clock::duration pause = kReportPollFirst;
  for (;;) {
    std::vector<ChildReport> out;
    if (!scopes.empty())
      for (auto& [scope, json] : store_.finished_children(run_, scopes))
        out.push_back(child_report_from(scope, json));
    auto now = std::chrono::steady_clock::now();
    if (!out.empty() || now >= deadline) return out;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min<std::chrono::steady_clock::duration>(pause * 2, kReportPollLast);
  }
}

std::vector<std::string> StoreChildQueue::withdraw(const std::vector<std::string>& scopes) {
  if (scopes.empty()) return {};
  return store_.withdraw_children(run_, scopes);
}

std::string child_report_json(const ChildReport& report) {
  nlohmann::json j = nlohmann::json::object();
  if (!report.fault.empty()) {
    j["fault"] = report.fault;
    return j.dump();
  }
  j["result"] = to_tagged_json(report.result);
  nlohmann::json edges = nlohmann::json::array();
  for (auto [r, e] : report.edges) edges.push_back({r, e});
  j["edges"] = std::move(edges);
  j["actions"] = report.actions;
  return j.dump();
}

ChildReport child_report_from(const std::string& scope, const std::string& json) {
  ChildReport report;
  report.scope = scope;
  try {
    nlohmann::json j = read_json(json, kMaxStoredJsonDepth);
    if (j.contains("fault")) {
      report.fault = j.at("fault").get<std::string>();
      return report;
    }
    report.result = from_tagged_json(j.at("result"));
    for (const auto& e : j.at("edges"))
      report.edges.emplace_back(e.at(0).get<uint32_t>(), e.at(1).get<uint32_t>());
    report.actions = j.at("actions").get<std::vector<std::string>>();
    if (report.fault.empty() && report.result.kind != ValueKind::Record)
      report.fault = "the report of child " + scope + " is damaged: its result is not a record";
  } catch (const std::exception& e) {  // JsonReadError, TaggedJsonError, nlohmann's
    report = ChildReport{};
    report.scope = scope;
    report.fault = "the report of child " + scope + " is damaged: " + e.what();
  }
  return report;
}

struct ChildTaskRunner::RunContext {
  std::optional<RunSession> session;
  std::unique_ptr<Host> world;
  std::shared_ptr<JournalWriter> writer;
  bool live = false;
  std::chrono::steady_clock::time_point used;
};

ChildTaskRunner::ChildTaskRunner(RunStore& store, std::string owner)
    : store_(store), owner_(std::move(owner)) {}

ChildTaskRunner::~ChildTaskRunner() = default;

std::shared_ptr<ChildTaskRunner::RunContext> ChildTaskRunner::context(const std::string& run) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (auto it = contexts_.find(run); it != contexts_.end()) {
    it->second->used = now;
    return it->second;
  }
  for (auto it = contexts_.begin(); it != contexts_.end();)
    it = now - it->second->used > kContextIdle ? contexts_.erase(it) : std::next(it);
  auto c = std::make_shared<RunContext>();
  c->session = RunSession::open(store_, run);
  if (!c->session) throw SessionError("run " + run + " is not in the store");
  c->world = c->session->world_for_children(discard);
  c->live = c->session->record().mode == RunMode::Live;
  // Each writer numbers its entries from its own start: sequence numbers of this owner
  // never meet those of an earlier writer of the same run (child_journal is unique by
  // run, scope, owner and seq; its order is the order of the writes).
  c->writer = std::make_shared<JournalWriter>(
      [&store = store_, run, owner = owner_](const std::vector<JournalEntry>& group) {
        store.append_child_journal(run, owner, group);
      },
      run, system_now_ms() * 1'000'000);
  c->used = now;
  contexts_[run] = c;
  return c;
}

void ChildTaskRunner::drop(const std::string& run, const std::shared_ptr<RunContext>& c) {
  std::lock_guard lock(mutex_);
  if (auto it = contexts_.find(run); it != contexts_.end() && it->second == c) contexts_.erase(it);
}

bool ChildTaskRunner::run(const StoredChildTask& task) {
  ChildReport report;
  report.scope = task.scope;
  // Twice at most: a write of another child of the run refused (that one was taken over)
  // fails the writer they share; this child, still held, goes on with a new one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::shared_ptr<RunContext> c;
    try {
      c = context(task.run);
      const Program& p = c->session->program();
      if (task.runbook >= p.runbooks.size())
        throw HostFault("child " + task.scope + " names no runbook of the run's program");
      Value args = from_tagged_json(read_json(task.args, kMaxStoredJsonDepth));
      if (args.kind != ValueKind::List ||
          args.items().size() != p.runbooks[task.runbook].params.size())
        throw HostFault("the arguments of child " + task.scope + " are damaged");
      std::vector<JournalEntry> recorded;
      if (task.attempts > 1 || attempt > 0) recorded = store_.child_journal(task.run, task.scope);
      auto host = JournalHost::for_child(c->world->child_host(task.scope), c->writer, task.scope,
                                         std::move(recorded), c->live,
                                         c->session->policy().idempotent_actions);
      host->child_began();
      Machine machine(p, *host, c->session->policy().budgets);
      ChildRun r = machine.run_child(task.runbook, args.items(), task.depth, task.wave_approved);
      report.result = child_run_value(r, p.runbooks[task.runbook]);
      report.edges = std::move(r.edges);
      report.actions = std::move(r.actions);
      break;
    } catch (const StoreError&) {
      if (c) drop(task.run, c);
      if (attempt == 1) {
        // Left for another (or this process) to take again once its lease is let go.
        try {
          store_.release_child(task.run, task.scope, owner_);
        } catch (const StoreError&) {  // the store is away: the lease runs out by itself
        }
        return false;
      }
    } catch (const std::exception& e) {  // HostFault, SessionError, a damaged record: the run stops
      report.fault = e.what();
      break;
    }
  }
  try {
    return store_.finish_child(task.run, task.scope, owner_, child_report_json(report));
  } catch (const StoreError&) {
    return false;  // the lease runs out; the next taker replays the child's journal
  }
}

}  // namespace rbk
