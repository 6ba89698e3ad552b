// The generated runbook the front end's benchmarks read (check_bench.cpp, lsp_bench.cpp).
#pragma once

#include <algorithm>
#include <string>

namespace rbk::bench {

// A runbook shaped like the real ones: decide nodes that bind a probe result and branch
// on it (interval coverage is computed for each), actions behind a gate, waits.
inline std::string generate(size_t min_bytes, size_t* lines_out = nullptr) {
  std::string s =
      "// generated\n"
      "runbook generated \"Generated\" {\n"
      "  param device: string\n"
      "  param api: string = \"http://127.0.0.1:8080\"\n"
      "  start -> d0\n";
  size_t n = 0;
  while (s.size() < min_bytes) {
    std::string i = std::to_string(n), next = std::to_string(n + 1);
    s += "\n  decide d" + i + " \"Check step " + i + "\" {\n";
    s += "    let age" + i +
         " = time.since(time.parse(http.get_json(\"{api}/devices/{device}\").last_seen))\n";
    s += "    when age" + i + " < 5m  -> a" + i + " \"Recent\"\n";
    s += "    when age" + i + " >= 5m and age" + i + " <= 30m -> w" + i + " \"Middle\"\n";
    s += "    when age" + i + " > 30m -> d" + next + " \"Old\"\n";
    s += "  }\n";
    s += "  action a" + i + " \"Act " + i + "\" {\n";
    s += "    approve by \"ops\"\n";
    s += "    do http.post_json(\"{api}/devices/{device}/restart\", {step: " + i + "})\n";
    s += "    then -> d" + next + "\n";
    s += "    on error -> failed\n";
    s += "  }\n";
    s += "  wait w" + i + " \"Wait " + i + "\" {\n";
    s += "    until http.get_json(\"{api}/devices/{device}\").online within 10m every 1m\n";
    s += "    then    -> d" + next + "\n";
    s += "    timeout -> failed\n";
    s += "  }\n";
    ++n;
  }
  s += "\n  decide d" + std::to_string(n) + " \"Last\" {\n    else -> done\n  }\n";
  s += "  end done \"Done\" as resolved\n  end failed \"Failed\" as failed\n}\n";
  if (lines_out) *lines_out = static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
  return s;
}

}  // namespace rbk::bench
