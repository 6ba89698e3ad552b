#include "server/notifier.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "server/api.hpp"
#include "server/http_client.hpp"
#include "vm/json_read.hpp"

namespace rbk::server {

using nlohmann::json;

namespace {

std::vector<std::string> plan_of(const RunRecord& rec) {
  std::vector<std::string> plan;
  try {
    json j = read_json(rec.plan);
    for (const auto& c : j)
      if (c.is_string()) plan.push_back(c.get<std::string>());
  } catch (const JsonReadError&) {
  }
  return plan;
}

// Slack's mrkdwn treats &, < and > as markup.
std::string slack_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string slack_message(const RunRecord& rec, const std::string& public_url) {
  std::string link = public_url + "/gates/" + rec.id;  // the web page of this gate
  std::vector<std::string> plan = plan_of(rec);
  // The plan's first line (an evaluated call, or the wave a fan-out asks for) says what
  // is at stake in a notification's one line.
  std::string first = plan.empty() ? "nothing planned" : plan[0];
  if (first.size() > 120) first = first.substr(0, 117) + "...";
  if (plan.size() > 1) first += fmt::format(" and {} more", plan.size() - 1);
  std::string headline =
      fmt::format("Run {} of {} ({}) waits at gate '{}' for role {}: {}", rec.id, rec.runbook,
                  run_mode_name(rec.mode), rec.paused_gate, rec.paused_role, first);
  std::string details =
      fmt::format("*{}* waits for a decision by *{}*\nstarted by {}\n", slack_escape(rec.runbook),
                  slack_escape(rec.paused_role), slack_escape(rec.started_by));
  for (const auto& c : plan) details += "• `" + slack_escape(c) + "`\n";
  details += fmt::format("plan hash `{}`", rec.plan_hash.substr(0, 12));
  json blocks =
      json::array({{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", details}}}},
                   {{"type", "section"},
                    {"text",
                     {{"type", "mrkdwn"},
                      {"text", fmt::format("<{}|Open the gate of run {}>  ·  or: `rbk approve {}`",
                                           link, rec.id, rec.id)}}}}});
  return json{{"text", headline}, {"blocks", blocks}}.dump();
}

std::string json_message(const RunRecord& rec, const std::string& public_url) {
  std::string link = public_url + "/api/runs/" + rec.id;
  return json{{"event", "gate.waiting"},
              {"run", Api::run_json(rec)},
              {"links",
               {{"page", public_url + "/gates/" + rec.id},
                {"run", link},
                {"approve", link + "/approve"},
                {"deny", link + "/deny"}}}}
      .dump();
}

Notifier::Notifier(Settings settings) : settings_(std::move(settings)) {
  if (!settings_.webhooks.empty()) worker_ = std::thread([this] { work(); });
}

Notifier::~Notifier() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
  if (!pending_.empty())
    std::cerr << "rbk serve: " << pending_.size()
              << " webhook deliveries not made before stopping\n";
}

void Notifier::gate_waiting(const RunRecord& rec) {
  if (settings_.webhooks.empty()) return;
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < settings_.webhooks.size(); ++i) {
    const Webhook& h = settings_.webhooks[i];
    pending_.push_back({i,
                        h.format == Webhook::Format::Slack
                            ? slack_message(rec, settings_.public_url)
                            : json_message(rec, settings_.public_url),
                        "gate '" + rec.paused_gate + "' of run " + rec.id, 0, Clock::now()});
  }
  wake_.notify_all();
}

Notifier::Stats Notifier::stats() {
  std::lock_guard lock(mu_);
  return stats_;
}

void Notifier::work() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (pending_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto next = std::min_element(pending_.begin(), pending_.end(),
                                 [](const auto& a, const auto& b) { return a.due < b.due; });
    if (next->due > Clock::now()) {
      wake_.wait_until(lock, next->due);
      continue;
    }
    Delivery d = std::move(*next);
    pending_.erase(next);
    lock.unlock();
    std::string why;
    bool ok = post(settings_.webhooks[d.hook], d.body, why);
    lock.lock();
    ++d.attempt;
    std::string hook =
        fmt::format("webhook {} ({})", d.hook + 1,
                    settings_.webhooks[d.hook].format == Webhook::Format::Slack ? "slack" : "json");
    if (ok) {
      ++stats_.delivered;
      continue;
    }
    if (d.attempt >= settings_.attempts) {
      ++stats_.given_up;
      std::cerr << "rbk serve: " << hook << ": gave up telling of " << d.what << " after "
                << d.attempt << " attempts: " << why << "\n";
      continue;
    }
    ++stats_.retried;
    int64_t delay = std::min<int64_t>(settings_.first_delay_ms << (d.attempt - 1), 60'000);
    std::cerr << "rbk serve: " << hook << ": " << why << "; trying again in " << delay << " ms\n";
    d.due = Clock::now() + std::chrono::milliseconds(delay);
    pending_.push_back(std::move(d));
  }
}

bool Notifier::post(const Webhook& hook, const std::string& body, std::string& why) {
  HttpReply r = http_call("POST", hook.url, body, "application/json");
  if (r.status == 0) {
    why = r.error;
    return false;
  }
  if (r.status < 200 || r.status >= 300) {
    why = "answered HTTP " + std::to_string(r.status);
    return false;
  }
  return true;
}

}  // namespace rbk::server
