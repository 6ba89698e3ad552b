#include "run/output_log.hpp"

#include <fmt/format.h>

namespace rbk {

OutputLog::OutputLog(RunStore& store, std::string run, std::ostream* echo)
    : std::ostream(nullptr), buf_(store, std::move(run), echo) {
  rdbuf(&buf_);
  exceptions(std::ios::badbit);  // a store that fails stops the run, as its journal would
}

OutputLog::~OutputLog() {
  try {
    buf_.finish();
  } catch (const StoreError&) {  // a destructor does not throw; the run's end reported it
  }
}

void OutputLog::Buffer::finish() {
  if (!line_.empty()) store_.append_output(run_, line_);
  line_.clear();
  if (echo_) echo_->flush();
}

OutputLog::Buffer::int_type OutputLog::Buffer::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  char ch = traits_type::to_char_type(c);
  xsputn(&ch, 1);
  return c;
}

std::streamsize OutputLog::Buffer::xsputn(const char* s, std::streamsize n) {
  if (echo_) echo_->write(s, n);
  for (std::streamsize i = 0; i < n; ++i) {
    if (s[i] != '\n') {
      line_ += s[i];
      continue;
    }
    store_.append_output(run_, line_);
    line_.clear();
  }
  return n;
}

int OutputLog::Buffer::sync() {
  if (echo_) echo_->flush();
  return 0;
}

std::string summary_line(const RunResult& r) {
  size_t nodes = r.path.size(), actions = r.actions.size();
  std::string counts = fmt::format("{} node{}, {} action{}", nodes, nodes == 1 ? "" : "s", actions,
                                   actions == 1 ? "" : "s");
  switch (r.status) {
    case RunStatus::Ended:
      return fmt::format("outcome: {} ({})", outcome_name(r.outcome), counts);
    case RunStatus::Failed:
      return fmt::format("outcome: failed: {}{} ({})", r.error,
                         r.error_where.empty() ? "" : " [at " + r.error_where + "]", counts);
    case RunStatus::Paused:
      return fmt::format("paused at gate '{}' (role \"{}\")", r.paused_at.gate, r.paused_at.role);
    case RunStatus::Interrupted:
      return fmt::format("interrupted: the children in flight finished; no other started ({})",
                         counts);
  }
  return "";
}

}  // namespace rbk
