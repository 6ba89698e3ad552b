#include "vm/foreach_plan.hpp"

#include <fmt/format.h>

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "vm/rbc.hpp"

namespace rbk {

std::vector<size_t> wave_ends(const std::vector<WaveInfo>& waves, size_t n) {
  std::vector<size_t> ends;
  if (n == 0) return ends;
  for (const auto& w : waves) {
    size_t end = w.kind == WaveInfo::Kind::All ? n
                 : w.kind == WaveInfo::Kind::Count
                     ? std::min<size_t>(w.value, n)
                     : static_cast<size_t>((static_cast<uint64_t>(n) * w.value + 99999) / 100000);
    size_t floor = ends.empty() ? 1 : ends.back() + 1;
    end = std::min(n, std::max(end, floor));
    if (!ends.empty() && ends.back() == n) break;
    ends.push_back(end);
  }
  if (ends.empty() || ends.back() != n) ends.push_back(n);
  return ends;
}

namespace {

void count_actions(const Program& p, uint32_t r, std::map<std::string, size_t>& out,
                   std::vector<uint32_t>& seen) {
  if (std::find(seen.begin(), seen.end(), r) != seen.end()) return;
  seen.push_back(r);
  const RunbookInfo& rb = p.runbooks[r];
  for (const auto& node : rb.nodes) {
    if (node.code == kNone) continue;
    for (const Instr& in : p.codes[node.code].instrs) {
      if (in.op == Op::PLAN) out[p.functions[in.a].name]++;
      if (in.op == Op::RUN) count_actions(p, in.a, out, seen);
    }
  }
  for (const auto& fe : rb.foreachs) count_actions(p, fe.runbook, out, seen);
}

std::string share_text(uint32_t thousandths) {
  return thousandths % 1000 == 0 ? fmt::format("{}%", thousandths / 1000)
                                 : fmt::format("{:.3f}%", thousandths / 1000.0);
}

}  // namespace

ForeachPlan plan_foreach(const Program& p, const ForeachInfo& fe) {
  ForeachPlan plan;
  std::vector<uint32_t> seen;
  count_actions(p, fe.runbook, plan.actions, seen);
  if (fe.abort) {
    // Every child failing: a share rule fires as soon as it may (at `after`), a count rule
    // at the first count above the limit (and not before `after`).
    size_t fires = fe.abort_share ? fe.abort_after
                                  : std::max<size_t>(size_t(fe.abort_value) + 1, fe.abort_after);
    plan.worst_case = fires + fe.concurrency - 1;
  }
  return plan;
}

std::string explain_foreach(const Program& p, const ForeachInfo& fe) {
  ForeachPlan plan = plan_foreach(p, fe);
  std::string waves;
  for (const auto& w : fe.waves)
    waves +=
        (waves.empty() ? "" : ", ") + (w.kind == WaveInfo::Kind::All     ? std::string("all")
                                       : w.kind == WaveInfo::Kind::Share ? share_text(w.value)
                                                                         : std::to_string(w.value));
  std::string s = "runs " + p.runbooks[fe.runbook].name + " for each item; waves " +
                  (waves.empty() ? "all" : waves) + fmt::format("; concurrency {}", fe.concurrency);
  if (fe.start_interval_ms) s += fmt::format("; a start every {}ms at most", fe.start_interval_ms);
  if (fe.abort) {
    std::string outcomes;
    for (Outcome o : {Outcome::Resolved, Outcome::Mitigated, Outcome::Escalated, Outcome::Failed})
      if (fe.abort_outcomes & (1u << static_cast<unsigned>(o)))
        outcomes += (outcomes.empty() ? "" : " or ") + std::string(outcome_name(o));
    s += "; abort when " + outcomes + " > " +
         (fe.abort_share ? share_text(fe.abort_value) : std::to_string(fe.abort_value)) +
         fmt::format(" after {}", fe.abort_after);
  }
  if (!fe.each_role.empty()) s += "; each wave approved by \"" + fe.each_role + "\"";
  if (!fe.between_role.empty()) s += "; approved between waves by \"" + fe.between_role + "\"";
  std::string actions;
  for (const auto& [name, n] : plan.actions)
    actions += (actions.empty() ? "" : ", ") + fmt::format("{} ×{}", name, n);
  s += "; each child may do " + (actions.empty() ? std::string("no action") : actions);
  s +=
      plan.worst_case
          ? fmt::format("; worst case: {} {} before the abort fires, if every child fails",
                        *plan.worst_case, *plan.worst_case == 1 ? "child starts" : "children start")
          : std::string("; no abort rule: every item runs, whatever happens");
  return s;
}

namespace {

// Feeds values to SHA-256 through a buffer (one digest update per 64 KiB, not per value).
class DigestWriter {
 public:
  DigestWriter() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || !EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr))
      throw std::runtime_error("SHA-256 is not available");
  }
  void value(const Value& v) {
    byte(static_cast<uint8_t>(v.kind));
    switch (v.kind) {
      case ValueKind::Null:
        return;
      case ValueKind::Bool:
        byte(v.b ? 1 : 0);
        return;
      case ValueKind::Int:
      case ValueKind::Duration:
      case ValueKind::Time:
      case ValueKind::Float:
      case ValueKind::Percent:
        number(static_cast<uint64_t>(v.i));  // (a double's bits, for the floating kinds)
        return;
      case ValueKind::String:
      case ValueKind::Error:
        number(v.str().size());
        bytes(v.str().data(), v.str().size());
        return;
      case ValueKind::List:
      case ValueKind::Record:
        number(v.items().size());
        for (size_t k = 0; k < v.items().size(); ++k) {
          if (v.kind == ValueKind::Record) {
            number(v.keys()[k].size());
            bytes(v.keys()[k].data(), v.keys()[k].size());
          }
          value(v.items()[k]);
        }
        return;
    }
  }
  std::string hex_digest() {
    flush();
    std::array<uint8_t, 32> out{};
    unsigned int len = 0;
    if (!EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) || len != out.size())
      throw std::runtime_error("SHA-256 failed");
    return hex(out);
  }

 private:
  void byte(uint8_t b) {
    if (used_ == sizeof buf_) flush();
    buf_[used_++] = b;
  }
  void number(uint64_t n) {  // little-endian, whatever the machine
    char le[8];
    for (int k = 0; k < 8; ++k) le[k] = static_cast<char>(n >> (8 * k));
    bytes(le, 8);
  }
  void bytes(const char* p, size_t n) {
    while (n > 0) {
      if (used_ == sizeof buf_) flush();
      size_t take = std::min(n, sizeof buf_ - used_);
      std::memcpy(buf_ + used_, p, take);
      used_ += take, p += take, n -= take;
    }
  }
  void flush() {
    if (used_ && !EVP_DigestUpdate(ctx_.get(), buf_, used_))
      throw std::runtime_error("SHA-256 failed");
    used_ = 0;
  }
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
  unsigned char buf_[1 << 16];
  size_t used_ = 0;
};

}  // namespace

std::string items_digest(const Value& list) {
  auto writer = std::make_unique<DigestWriter>();  // (its buffer is too big for the stack)
  writer->value(list);
  return writer->hex_digest().substr(0, 16);
}

}  // namespace rbk
