#include "publish/line_diff.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

namespace rbk {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Step {
  char mark;  // ' ', '-' or '+'
  const std::string* line;
};

// Longest common subsequence by dynamic programming after trimming the common ends; the
// blocks compared are diagrams (hundreds of lines), and past a table of 16M cells the
// middle is shown as replaced whole rather than spending the memory.
std::vector<Step> diff_steps(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
    ++tail;
  std::vector<Step> steps;
  for (size_t i = 0; i < head; ++i) steps.push_back({' ', &a[i]});
  size_t n = a.size() - head - tail, m = b.size() - head - tail;
  if (n * m > 16'000'000) {
    for (size_t i = 0; i < n; ++i) steps.push_back({'-', &a[head + i]});
    for (size_t j = 0; j < m; ++j) steps.push_back({'+', &b[head + j]});
  } else {
    // lcs[i][j]: length of the LCS of a[head+i..] and b[head+j..]
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1
                                              : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[head + i] == b[head + j]) {
        steps.push_back({' ', &a[head + i]});
        ++i, ++j;
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        steps.push_back({'-', &a[head + i++]});  // removals first, as diff prints them
      } else {
        steps.push_back({'+', &b[head + j++]});
      }
    }
  }
  for (size_t i = a.size() - tail; i < a.size(); ++i) steps.push_back({' ', &a[i]});
  return steps;
}

}  // namespace

std::string line_diff(const std::string& before, const std::string& after) {
  if (before == after) return "";
  std::vector<std::string> a = split_lines(before), b = split_lines(after);
  std::vector<Step> steps = diff_steps(a, b);
  constexpr size_t kContext = 2;
  std::vector<bool> shown(steps.size(), false);
  for (size_t k = 0; k < steps.size(); ++k) {
    if (steps[k].mark == ' ') continue;
    size_t from = k >= kContext ? k - kContext : 0;
    size_t to = std::min(steps.size(), k + kContext + 1);
    for (size_t s = from; s < to; ++s) shown[s] = true;
  }
  std::string out;
  bool gap = false;
  for (size_t k = 0; k < steps.size(); ++k) {
    if (!shown[k]) {
      gap = true;
      continue;
    }
    if (gap && !out.empty()) out += "  ...\n";
    gap = false;
    out += steps[k].mark;
    out += ' ';
    out += *steps[k].line;
    out += '\n';
  }
  if (out.empty()) out = "  (the texts differ only in line endings or a final newline)\n";
  return out;
}

}  // namespace rbk
