#include "server/api.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "render/graphviz.hpp"
#include "run/owner.hpp"
#include "run/params.hpp"
#include "run/signals.hpp"
#include "vm/json_read.hpp"
#include "vm/rbc.hpp"

namespace rbk::server {

using nlohmann::json;

namespace {

// One field a request body may carry.
struct Field {
  const char* name;
  json::value_t type;  // object, string, boolean
  bool required;
};

const char* type_name(json::value_t t) {
  switch (t) {
    case json::value_t::object:
      return "an object";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "true or false";
    default:
      return "a value";
  }
}

// The body as a JSON object of FIELDS only, each of its type; otherwise the 400 to answer.
std::optional<ApiResponse> read_body(const std::string& body, std::initializer_list<Field> fields,
                                     json& out) {
  if (body.empty()) {
    out = json::object();
  } else {
    try {
      out = read_json(body);
    } catch (const JsonReadError& e) {
      return api_error(400, std::string("the body is not JSON: ") + e.what());
    }
  }
  if (!out.is_object()) return api_error(400, "the body must be a JSON object");
  for (auto it = out.begin(); it != out.end(); ++it) {
    auto f = std::find_if(fields.begin(), fields.end(),
                          [&](const Field& x) { return it.key() == x.name; });
    if (f == fields.end()) {
      std::string known;
      for (const auto& x : fields) known += (known.empty() ? "" : ", ") + std::string(x.name);
      return api_error(400,
                       "unknown field \"" + it.key() + "\"" +
                           (known.empty() ? " (this takes no body)" : " (known: " + known + ")"));
    }
    if (it.value().type() != f->type)
      return api_error(400, "\"" + it.key() + "\" must be " + type_name(f->type));
  }
  for (const auto& f : fields)
    if (f.required && !out.contains(f.name))
      return api_error(400, std::string("\"") + f.name + "\" is required");
  return std::nullopt;
}

// Names of runbooks and runs: what they are made of, so "../etc/passwd" is refused as a
// name before anything looks it up.
bool plain_name(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                              c == '.';
                     }) &&
         s.find("..") == std::string::npos;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

ApiResponse ok(const json& j, int status = 200) {
  ApiResponse r;
  r.status = status;
  r.body = j.dump();
  return r;
}

}  // namespace

ApiResponse api_error(int status, const std::string& message) {
  ApiResponse r;
  r.status = status;
  r.body = json{{"error", message}}.dump();
  return r;
}

json Api::run_json(const RunRecord& r) {
  json j = {{"id", r.id},
            {"runbook", r.runbook},
            {"program_hash", r.program_hash},
            {"mode", run_mode_name(r.mode)},
            {"status", run_state_name(current_state(r))},
            {"started_by", r.started_by},
            {"created_at", format_time(r.created_at)},
            {"updated_at", format_time(r.updated_at)}};
  if (!r.outcome.empty()) j["outcome"] = r.outcome;
  if (!r.error.empty()) j["error"] = r.error;
  try {
    j["params"] = r.params.empty() ? json::object() : read_json(r.params);
  } catch (const JsonReadError&) {
    j["params"] = json::object();
  }
  if (r.status == RunState::Paused) {
    json plan = json::array();
    try {
      plan = read_json(r.plan);
    } catch (const JsonReadError&) {
    }
    json questions = json::array();
    try {
      for (const auto& [name, choices] : stored_questions(r))
        questions.push_back({{"name", name}, {"choices", choices}});
    } catch (const SessionError&) {  // deciding says what is damaged
    }
    j["gate"] = {{"name", r.paused_gate},  {"role", r.paused_role},
                 {"plan", plan},           {"plan_hash", r.plan_hash},
                 {"questions", questions}, {"waiting_since", format_time(r.updated_at)}};
  }
  return j;
}

std::optional<Identity> Api::authenticate(const std::string& authorization,
                                          const std::string& cookie, std::string& why) {
  return identify(*s_.store, authorization, cookie, why);
}

std::string Api::csrf_problem(const ApiRequest& req, const Identity& who) const {
  if (who.csrf.empty() || req.method == "GET" || req.method == "HEAD") return "";
  // Compared in constant time: the token is a secret of the page.
  bool same = req.csrf.size() == who.csrf.size();
  unsigned char diff = 0;
  for (size_t i = 0; same && i < who.csrf.size(); ++i)
    diff |= static_cast<unsigned char>(req.csrf[i] ^ who.csrf[i]);
  if (!same || diff != 0)
    return "a signed-in browser's request that changes something must send its X-CSRF-Token "
           "(GET /api/whoami gives it)";
  if (!req.origin.empty() && !s_.public_url.empty()) {
    size_t host_end = s_.public_url.find('/', s_.public_url.find("://") + 3);
    if (req.origin != s_.public_url.substr(0, host_end))
      return "the request comes from another site (" + req.origin + ")";
  }
  return "";
}

ApiResponse Api::handle(const ApiRequest& req) {
  std::string why;
  std::optional<Identity> who = authenticate(req.authorization, req.cookie, why);
  if (!who) return api_error(401, why);
  if (std::string problem = csrf_problem(req, *who); !problem.empty()) {
    ApiResponse r = api_error(403, problem);
    r.who = who->name;
    return r;
  }
  ApiResponse r;
  try {
    r = route(req, *who);
  } catch (const StoreError& e) {
    r = api_error(503, std::string("the run store failed: ") + e.what());
  }
  r.who = who->name;
  return r;
}

ApiResponse Api::route(const ApiRequest& req, const Identity& who) {
  std::vector<std::string> p = split_path(req.path);  // p[0] == "api"
  const bool get = req.method == "GET", post = req.method == "POST";
  auto wrong_method = [&] {
    return api_error(405, req.method + " is not a method of " + req.path);
  };
  if (p.size() == 2 && p[1] == "whoami") {
    if (!get) return wrong_method();
    json j = {{"name", who.name}, {"roles", who.roles}, {"via", who.via}};
    if (!who.csrf.empty()) j["csrf_token"] = who.csrf;
    std::string live = s_.policy.may_start_live(who.name, who.roles);
    j["may_start_live"] = live.empty();
    if (!live.empty()) j["live_refused"] = live;
    return ok(j);
  }
  if (p.size() >= 2 && p[1] == "runbooks") {
    if (!get) return wrong_method();
    if (p.size() == 2) return runbooks();
    if (!plain_name(p[2])) return api_error(400, "\"" + p[2] + "\" is not a runbook name");
    if (p.size() == 3) return runbook(p[2], "");
    if (p.size() == 4 && (p[3] == "diagram.mmd" || p[3] == "diagram.svg"))
      return runbook(p[2], p[3]);
  }
  if (p.size() == 2 && p[1] == "gates") {
    if (!get) return wrong_method();
    return gates(who);
  }
  if (p.size() >= 2 && p[1] == "runs") {
    if (p.size() == 2) {
      if (post) return start_run(req, who);
      if (get) return list_runs(req);
      return wrong_method();
    }
    if (!plain_name(p[2])) return api_error(400, "\"" + p[2] + "\" is not a run id");
    const std::string& id = p[2];
    if (p.size() == 3) return get ? show_run(id, who) : wrong_method();
    if (p.size() == 4) {
      if (p[3] == "trace") return get ? run_trace(id) : wrong_method();
      if (p[3] == "audit") return get ? run_audit(id) : wrong_method();
      if (p[3] == "diagram.svg") return get ? run_diagram(id, req) : wrong_method();
      if (p[3] == "approve")
        return post ? decide(id, req, who, GateDecision::Approved) : wrong_method();
      if (p[3] == "deny") return post ? decide(id, req, who, GateDecision::Denied) : wrong_method();
      if (p[3] == "cancel") return post ? cancel(id, req, who) : wrong_method();
    }
    if (p.size() == 5 && p[3] == "signals")
      return post ? signal(id, p[4], req, who) : wrong_method();
  }
  return api_error(404, "no such route: " + req.method + " " + req.path + " (see /openapi.json)");
}

ApiResponse Api::runbooks() {
  json list = json::array();
  for (const auto& e : s_.catalogue->entries()) {
    json j = e.summary;
    const std::string& name = e.program->entry_runbook().name;
    if (auto it = s_.config_problems.find(name); it != s_.config_problems.end())
      j["unavailable"] = it->second;
    list.push_back(std::move(j));
  }
  return ok({{"runbooks", list}});
}

ApiResponse Api::runbook(const std::string& name, const std::string& part) {
  const CatalogueEntry* e = s_.catalogue->find(name);
  if (!e) return api_error(404, "no runbook '" + name + "' (the catalogue: GET /api/runbooks)");
  ApiResponse r;
  if (part == "diagram.mmd") {
    r.body = e->mermaid;
    r.content_type = "text/plain; charset=utf-8";
    return r;
  }
  if (part == "diagram.svg") {
    r.body = e->svg;
    r.content_type = "image/svg+xml";
    return r;
  }
  json j = e->summary;
  j["mermaid"] = e->mermaid;
  if (auto it = s_.config_problems.find(name); it != s_.config_problems.end())
    j["unavailable"] = it->second;
  return ok(j);
}

ApiResponse Api::start_run(const ApiRequest& req, const Identity& who) {
  json body;
  if (auto bad = read_body(req.body,
                           {{"runbook", json::value_t::string, true},
                            {"mode", json::value_t::string, false},
                            {"params", json::value_t::object, false}},
                           body))
    return *bad;
  const std::string name = body["runbook"];
  if (!plain_name(name)) return api_error(400, "\"" + name + "\" is not a runbook name");
  const CatalogueEntry* e = s_.catalogue->find(name);
  if (!e) return api_error(404, "no runbook '" + name + "' (the catalogue: GET /api/runbooks)");
  std::string mode_name = body.value("mode", "dry-run");
  std::optional<RunMode> mode = run_mode_named(mode_name);
  if (!mode || *mode == RunMode::Scenario)
    return api_error(400,
                     "\"mode\" must be \"dry-run\" or \"live\" (scenario runs are rbk "
                     "test's, offline), not \"" +
                         mode_name + "\"");
  if (*mode == RunMode::Live)
    if (std::string why = s_.policy.may_start_live(who.name, who.roles); !why.empty())
      return api_error(403, why);
  if (auto it = s_.config_problems.find(name); it != s_.config_problems.end())
    return api_error(422, "runbook '" + name + "' cannot start here: " + it->second);
  const Program& program = *e->program;
  for (const auto& cap : needed_capabilities(program, *mode == RunMode::DryRun))
    if (!s_.policy.capabilities.grants(cap))
      return api_error(422, "the server's policy does not grant capability '" + cap +
                                "', which runbook '" + name + "' uses" +
                                (*mode == RunMode::DryRun ? " in its probes" : ""));
  RunSetup setup;
  setup.program = e->program;
  setup.mode = *mode;
  setup.policy = s_.policy;
  setup.policy_text = s_.policy_text;
  setup.config = s_.config[name];
  std::string bind_error;
  json params = body.value("params", json::object());
  setup.params = bind_params(program, &params, {}, bind_error, false);
  if (!bind_error.empty()) return api_error(400, bind_error);
  setup.started_by = who.name;
  RunSession session(std::move(setup), s_.store);
  session.register_run();
  RunRecord rec = session.record();
  s_.executor->submit(std::move(session), who.name, false);
  ApiResponse r = ok(run_json(rec), 201);
  r.location = "/api/runs/" + rec.id;
  return r;
}

ApiResponse Api::list_runs(const ApiRequest& req) {
  RunFilter filter;
  size_t limit = 100;
  for (const auto& [key, value] : req.query) {
    if (key == "status") {
      filter.status = run_state_named(value);
      if (!filter.status)
        return api_error(400, "status \"" + value +
                                  "\" is none of running, paused, ended, "
                                  "failed, cancelled, interrupted");
    } else if (key == "runbook") {
      filter.runbook = value;
    } else if (key == "waiting_for") {
      filter.waiting_for = value;
    } else if (key == "started_by") {
      filter.started_by = value;
    } else if (key == "limit") {
      size_t used = 0;
      try {
        limit = std::stoul(value, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != value.size() || limit == 0 || limit > 1000)
        return api_error(400, "limit takes a whole number from 1 to 1000, not \"" + value + "\"");
    } else {
      return api_error(400, "unknown query parameter \"" + key +
                                "\" (known: status, runbook, started_by, waiting_for, limit)");
    }
  }
  json list = json::array();
  for (const auto& r : find_runs(*s_.store, filter, limit)) list.push_back(run_json(r));
  return ok({{"runs", list}});
}

// Whether WHO may decide the gate REC waits at, by the policy the run was started with
// (the one its decision is checked against): a page shows why not before anyone clicks.
static void add_decider(json& run, const RunRecord& rec, const Identity& who) {
  if (rec.status != RunState::Paused || !run.contains("gate")) return;
  Policy policy;
  if (!rec.policy.empty()) {
    try {
      policy = parse_policy(rec.policy, "the run's policy");
    } catch (const PolicyError&) {
      return;  // the decision itself will say what is wrong
    }
  }
  std::string why = policy.may_approve(who.name, rec.paused_role, rec.started_by, who.roles);
  run["gate"]["you_may_decide"] = why.empty();
  if (!why.empty()) run["gate"]["you_may_not_because"] = why;
}

ApiResponse Api::show_run(const std::string& id, const Identity& who) {
  std::optional<RunRecord> rec = s_.store->get(id);
  if (!rec) return api_error(404, "no run " + id);
  json j = run_json(*rec);
  add_decider(j, *rec, who);
  json approvals = json::array();
  for (const auto& a : s_.store->approvals(id))
    approvals.push_back({{"gate", a.gate},
                         {"decision", gate_decision_name(a.decision)},
                         {"by", a.by},
                         {"at", format_time(a.at)},
                         {"comment", a.comment},
                         {"plan_hash", a.plan_hash},
                         {"picks", a.picks}});
  j["approvals"] = approvals;
  j["output"] = s_.store->output(id);
  return ok(j);
}

ApiResponse Api::run_trace(const std::string& id) {
  if (!s_.store->get(id)) return api_error(404, "no run " + id);
  // The stored events are JSON objects already: the array is joined, not parsed again.
  std::string body = "[";
  bool first = true;
  for (const auto& e : s_.store->trace(id)) {
    if (!first) body += ",";
    body += e;
    first = false;
  }
  ApiResponse r;
  r.body = body + "]";
  return r;
}

ApiResponse Api::gates(const Identity& who) {
  RunFilter filter;
  filter.status = RunState::Paused;
  json list = json::array();
  for (const auto& r : find_runs(*s_.store, filter, 1000)) {
    json j = run_json(r);
    add_decider(j, r, who);
    list.push_back(std::move(j));
  }
  return ok({{"gates", list}});
}

ApiResponse Api::run_audit(const std::string& id) {
  if (!s_.store->get(id)) return api_error(404, "no run " + id);
  std::vector<AuditEntry> all = s_.store->audit();
  json entries = json::array();
  for (const auto& e : all)
    if (e.run == id)
      entries.push_back({{"seq", e.seq},
                         {"at", format_time(e.at)},
                         {"actor", e.actor},
                         {"action", e.action},
                         {"plan_hash", e.plan_hash},
                         {"detail", e.detail},
                         {"hash", e.hash}});
  // The whole chain is checked: an entry of this run is only as good as those before it.
  return ok({{"run", id}, {"entries", entries}, {"chain_problems", verify_audit(all)}});
}

ApiResponse Api::run_diagram(const std::string& id, const ApiRequest& req) {
  std::optional<RunRecord> rec = s_.store->get(id);
  if (!rec) return api_error(404, "no run " + id);
  std::string runbook = rec->runbook;
  for (const auto& [key, value] : req.query) {
    if (key != "runbook")
      return api_error(400, "unknown query parameter \"" + key + "\" (known: runbook)");
    if (!plain_name(value)) return api_error(400, "\"" + value + "\" is not a runbook name");
    runbook = value;
  }
  const std::string key = rec->program_hash + "/" + runbook;
  {
    std::lock_guard lock(diagrams_mutex_);
    if (auto it = diagrams_.find(key); it != diagrams_.end()) {
      ApiResponse r;
      r.body = it->second;
      r.content_type = "image/svg+xml";
      return r;
    }
  }
  // Drawn from the program the run executes, not the catalogue's (which a restart with
  // changed files may have replaced): the path is coloured on the graph it took.
  Program program;
  try {
    program = decode_rbc(rec->program);
  } catch (const std::exception& e) {
    return api_error(500, "run " + id + "'s program cannot be read: " + e.what());
  }
  const RunbookInfo* rb = nullptr;
  for (const auto& r : program.runbooks)
    if (r.name == runbook) rb = &r;
  if (!rb) return api_error(404, "run " + id + "'s program has no runbook '" + runbook + "'");
  ApiResponse r;
  r.body = render_svg(render_dot(*rb));
  r.content_type = "image/svg+xml";
  std::lock_guard lock(diagrams_mutex_);
  if (diagrams_.size() >= 256) diagrams_.clear();  // a bound, not a policy: redrawing is cheap
  diagrams_[key] = r.body;
  return r;
}

ApiResponse Api::decide(const std::string& id, const ApiRequest& req, const Identity& who,
                        GateDecision decision) {
  json body;
  if (auto bad = read_body(req.body,
                           {{"plan_hash", json::value_t::string, true},
                            {"comment", json::value_t::string, false},
                            {"picks", json::value_t::object, false}},
                           body))
    return *bad;
  GatePicks picks;
  if (body.contains("picks")) {
    if (decision != GateDecision::Approved)
      return api_error(400, "\"picks\" answer a gate's questions when approving it, not denying");
    for (const auto& [question, choice] : body["picks"].items()) {
      if (!choice.is_string())
        return api_error(400,
                         "\"picks\": \"" + question +
                             "\" must be the text of a choice (a string), as the gate lists it");
      picks[question] = choice.get<std::string>();
    }
  }
  std::optional<RunSession> s;
  try {
    s = RunSession::open(*s_.store, id);
  } catch (const SessionError& e) {
    return api_error(409, "run " + id + " cannot be resumed: " + e.what());
  }
  if (!s) return api_error(404, "no run " + id);
  const RunRecord rec = s->record();
  if (rec.status != RunState::Paused)
    return api_error(409, "run " + id + " is not waiting for a decision (it is " +
                              run_state_name(current_state(rec)) + ")");
  const std::string shown = body["plan_hash"];
  if (shown != rec.plan_hash)
    return api_error(409, "the plan of gate '" + rec.paused_gate + "' is not the one shown (" +
                              shown.substr(0, 12) + "): it is now " + rec.plan_hash +
                              "; look at it again (GET /api/runs/" + id + ") and decide anew");
  if (std::string why =
          s->decide(who.name, decision, body.value("comment", ""), who.roles, shown, picks);
      !why.empty()) {
    std::optional<RunRecord> now = s_.store->get(id);
    bool still = now && now->status == RunState::Paused && now->plan_hash == rec.plan_hash;
    return api_error(still ? 403 : 409, why);
  }
  s_.executor->submit(std::move(*s), who.name, true);
  std::optional<RunRecord> now = s_.store->get(id);
  return ok({{"run", run_json(now ? *now : rec)},
             {"decision", gate_decision_name(decision)},
             {"gate", rec.paused_gate},
             {"plan_hash", rec.plan_hash}});
}

// POST /api/runs/{id}/signals/{name} {"value": any JSON}: queued for the run's wait node
// (until signal "NAME"), like rbk signal; the sender is audited.
ApiResponse Api::signal(const std::string& id, const std::string& name, const ApiRequest& req,
                        const Identity& who) {
  json body = json::object();
  if (!req.body.empty()) {
    try {
      body = read_json(req.body);
    } catch (const JsonReadError& e) {
      return api_error(400, std::string("the body is not JSON: ") + e.what());
    }
  }
  if (!body.is_object()) return api_error(400, "the body must be a JSON object");
  for (auto it = body.begin(); it != body.end(); ++it)
    if (it.key() != "value")
      return api_error(400, "unknown field \"" + it.key() + "\" (known: value)");
  std::optional<RunRecord> rec = s_.store->get(id);
  if (!rec) return api_error(404, "no run " + id);
  // As for cancelling: the person who started it, or one who may start live runs.
  if (rec->started_by != who.name && !s_.policy.may_start_live(who.name, who.roles).empty())
    return api_error(403, who.name + " may not signal run " + id + ": it was started by " +
                              rec->started_by +
                              ", and signalling another's run takes a role of the policy's "
                              "\"live_runs\"");
  SignalResult r = send_signal(*s_.store, id, name,
                               body.contains("value") ? body["value"].dump() : "", who.name);
  switch (r.kind) {
    case SignalResult::Kind::Sent:
      return ok({{"run", id}, {"signal", name}, {"sent_by", who.name}});
    case SignalResult::Kind::NoSuchRun:
      return api_error(404, r.why);
    case SignalResult::Kind::Finished:
      return api_error(409, r.why);
    case SignalResult::Kind::Refused:
      return api_error(400, r.why);
  }
  return api_error(500, "unreachable");
}

ApiResponse Api::cancel(const std::string& id, const ApiRequest& req, const Identity& who) {
  json body;
  if (auto bad = read_body(req.body, {{"comment", json::value_t::string, false}}, body))
    return *bad;
  std::optional<RunRecord> rec = s_.store->get(id);
  if (!rec) return api_error(404, "no run " + id);
  // The person who started it, or one who may start live runs (the team's operators).
  if (rec->started_by != who.name && !s_.policy.may_start_live(who.name, who.roles).empty())
    return api_error(403, who.name + " may not cancel run " + id + ": it was started by " +
                              rec->started_by +
                              ", and cancelling another's run takes a role "
                              "of the policy's \"live_runs\"");
  s_.executor->stop(id);
  CancelResult c = cancel_run(*s_.store, id, who.name, body.value("comment", ""));
  switch (c.kind) {
    case CancelResult::Kind::Cancelled:
      break;
    case CancelResult::Kind::NoSuchRun:
      return api_error(404, c.why);
    case CancelResult::Kind::Finished:
    case CancelResult::Kind::Refused:
      return api_error(409, c.why);
  }
  return ok(run_json(*s_.store->get(id)));
}

}  // namespace rbk::server
