#include "test_support.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace rbk::test {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> rbk_files(const std::filesystem::path& dir, bool recurse) {
  std::vector<std::string> out;
  auto add = [&](const std::filesystem::directory_entry& e) {
    if (e.is_regular_file() && e.path().extension() == ".rbk")
      out.push_back(std::filesystem::relative(e.path(), dir).string());
  };
  if (recurse)
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) add(e);
  else
    for (const auto& e : std::filesystem::directory_iterator(dir)) add(e);
  std::sort(out.begin(), out.end());
  return out;
}

CheckRun check_files(const std::vector<std::string>& paths) {
  CheckRun run;
  std::vector<std::string> unreadable;
  load_workspace(run.ws, paths, run.diags, unreadable);
  run.program = check_workspace(run.ws, run.diags);
  return run;
}

CheckRun check_text(const std::string& name, const std::string& text) {
  CheckRun run;
  load_source(run.ws, name, text, run.diags);
  run.program = check_workspace(run.ws, run.diags);
  return run;
}

}  // namespace rbk::test
