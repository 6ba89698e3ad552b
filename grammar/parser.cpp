// The parse driver: runs the grammar (rules.hpp) piecewise over a file, turns PEGTL
// failures into diagnostics with the messages of errors.hpp, and recovers.
#include "grammar/parser.hpp"

#include <map>
#include <set>

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "grammar/ast_builder.hpp"
#include "grammar/errors.hpp"
#include "grammar/rules.hpp"
#include "grammar/selector.hpp"

namespace rbk {

namespace g = rbk::grammar;
namespace pegtl = tao::pegtl;

namespace {

struct ParseState {
  std::map<uint32_t, ast::Comment> comments;  // by start offset: backtracking re-matches them
  std::map<uint32_t, uint32_t> comment_ends;  // end offset -> start offset
  int depth = 0;
  const SourceFile* src = nullptr;
};

template <typename Rule>
struct on_comment : pegtl::nothing<Rule> {};

template <>
struct on_comment<g::line_comment> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, ParseState& st) {
    uint32_t begin = static_cast<uint32_t>(in.begin() - st.src->text().data());
    std::string text = in.string();
    // Without trailing white space: the formatter prints none, and AstBuilder::end_of
    // finds a comment by where its last visible character ends ("// " at the end of a
    // file once drew the runbook before it around itself).
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t' ||
                             text.back() == '\f' || text.back() == '\v'))
      text.pop_back();
    uint32_t end = begin + static_cast<uint32_t>(text.size());
    if (st.comments.count(begin)) return;
    Pos b = st.src->pos_at(begin);
    st.comments.emplace(begin, ast::Comment{Range{b, st.src->pos_at(end)}, std::move(text)});
    st.comment_ends.emplace(end, begin);
  }
};

template <typename Rule>
inline constexpr bool is_nesting_rule =
    std::is_same_v<Rule, g::expr> || std::is_same_v<Rule, g::type_expr> ||
    std::is_same_v<Rule, g::neg_expr> || std::is_same_v<Rule, g::not_expr>;

// What stands at the input position, for "…, found X".
std::string found_at(const char* p, const char* end) {
  if (p >= end) return "the end of the file";
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (*p == '\n' || *p == '\r') return "the end of the line";
  if (*p == '"') return "a string";
  if (*p == '`') return "a raw string";
  const char* q = p;
  if (word(*q)) {
    while (q < end && word(*q) && q - p < 40) ++q;
  } else {
    q = p + 1;
    while (q < end && (static_cast<unsigned char>(*q) & 0xC0) == 0x80) ++q;  // whole UTF-8 char
  }
  return "'" + std::string(p, q) + "'";
}

template <typename Rule>
struct control : pegtl::normal<Rule> {
  template <typename ParseInput, typename... States>
  [[noreturn]] static void raise(const ParseInput& in, States&&...) {
    static_assert(g::error_message<Rule> != nullptr,
                  "a rule used in must<> has no message in grammar/errors.hpp");
    std::string msg = g::error_message<Rule>;
    if constexpr (!std::is_same_v<Rule, g::bad_number>)
      msg += ", found " + found_at(in.current(), in.end());
    throw pegtl::parse_error(msg, in);
  }

  template <typename ParseInput>
  static void start(const ParseInput& in, ParseState& st) {
    if constexpr (is_nesting_rule<Rule>) {
      if (++st.depth > kMaxParseNesting)
        throw pegtl::parse_error("nested too deeply (more than " +
                                     std::to_string(kMaxParseNesting) +
                                     " levels of parentheses, brackets or operators)",
                                 in);
    }
  }
  template <typename ParseInput>
  static void success(const ParseInput&, ParseState& st) {
    if constexpr (is_nesting_rule<Rule>) --st.depth;
  }
  template <typename ParseInput>
  static void failure(const ParseInput&, ParseState& st) {
    if constexpr (is_nesting_rule<Rule>) --st.depth;
  }
};

using Input = pegtl::memory_input<pegtl::tracking_mode::eager, pegtl::eol::lf_crlf>;

template <typename Rule>
std::unique_ptr<g::TreeNode> parse_step(Input& in, ParseState& st) {
  st.depth = 0;
  return g::pt::parse<Rule, g::selector, on_comment, control>(in, st);
}

// Words that begin an item at the top level, and inside a runbook.
const std::set<std::string_view> kTopWords = {"import", "module", "config",
                                              "probe",  "action", "runbook"};
const std::set<std::string_view> kRunbookWords = {"doc",  "param",   "start", "decide", "action",
                                                  "wait", "approve", "call",  "end"};
const std::set<std::string_view> kLeaveRunbookWords = {"import", "module", "config", "probe",
                                                       "runbook"};

std::string_view first_word(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  size_t j = i;
  while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '_'))
    ++j;
  return line.substr(i, j - i);
}

bool starts_line(const SourceFile& src, Pos p) {
  std::string_view line = src.line(p.line);
  for (uint32_t i = 0; i + 1 < p.col && i < line.size(); ++i)
    if (line[i] != ' ' && line[i] != '\t') return false;
  return true;
}

}  // namespace

ParseResult parse_source(const SourcePtr& src_ptr, Diagnostics& diags) {
  const SourceFile& src = *src_ptr;
  ParseResult result;
  ParseState st;
  st.src = &src;

  if (EncodingProblem bad = find_encoding_problem(src.text()); bad.offset != std::string::npos) {
    Pos p = src.pos_at(static_cast<uint32_t>(bad.offset));
    diags
        .error("encoding", src_ptr, Range{p, src.pos_at(p.offset + 1)},
               "this file is not valid UTF-8 text: " + bad.what)
        .hints.push_back("rbk reads UTF-8 source files without NUL bytes");
    result.ok = false;
    return result;
  }

  // No source name: every node of the parse tree copies it, and positions come from SRC.
  Input in(src.text().data(), src.text().size(), "");
  g::AstBuilder builder(src, st.comment_ends);
  pegtl::parse<g::ws, on_comment, control>(in, st);

  ast::Runbook* open_runbook = nullptr;  // the runbook whose items are being parsed
  bool in_runbook = false;               // also true for a runbook whose head failed to parse

  auto report = [&](Pos at, const std::string& message) {
    diags.error("syntax", src_ptr, Range{at, src.pos_at(at.offset + 1)}, message);
    result.ok = false;
  };
  // Skips to the next line at or after AT that begins an item. Returns false at the end.
  // The input only moves forward: after a failed rule PEGTL leaves it wherever the
  // outermost rewinding rule put it, and after a BuildError the whole item has been
  // consumed already, so a line before the input's position is never a place to go back to.
  auto recover = [&](Pos at, Pos item_start) -> bool {
    uint32_t line = at.line;
    if (!(starts_line(src, at) && at.line > item_start.line)) ++line;
    for (; line <= src.line_count(); ++line) {
      std::string_view w = first_word(src.line(line));
      bool stays = in_runbook && kRunbookWords.count(w);
      bool leaves = kTopWords.count(w) && (!in_runbook || kLeaveRunbookWords.count(w));
      if (!stays && !leaves) continue;
      auto target = static_cast<size_t>(src.line(line).data() - src.text().data());
      if (target < in.byte()) continue;
      if (leaves) {
        in_runbook = false;
        open_runbook = nullptr;
      }
      in.bump(target - in.byte());
      pegtl::parse<g::ws, on_comment, control>(in, st);
      return true;
    }
    return false;
  };

  while (true) {
    Pos item_start = src.pos_at(static_cast<uint32_t>(in.byte()));
    try {
      if (in_runbook) {
        auto tree = parse_step<pegtl::must<g::runbook_or_end>>(in, st);
        if (tree->children.empty()) {  // end of file before the closing brace
          report(src.pos_at(static_cast<uint32_t>(in.byte())),
                 "expected '}' to close the runbook, found the end of the file");
          break;
        }
        const g::TreeNode& n = *tree->children.front();
        if (n.is_type<g::runbook_close>()) {
          if (open_runbook) open_runbook->range.end = builder.end_of(n);
          in_runbook = false;
          open_runbook = nullptr;
        } else if (open_runbook) {
          open_runbook->items.push_back(builder.runbook_item(n));
        }
      } else {
        auto tree = parse_step<pegtl::must<g::top_step>>(in, st);
        if (tree->children.empty()) break;  // end of file
        const g::TreeNode& n = *tree->children.front();
        if (n.is_type<g::runbook_head>()) {
          result.file.items.push_back(builder.runbook_head(n));
          open_runbook = &std::get<ast::Runbook>(result.file.items.back());
          in_runbook = true;
        } else {
          result.file.items.push_back(builder.top_item(n));
        }
      }
    } catch (const pegtl::parse_error& e) {
      const auto& p = e.positions().front();
      Pos at{static_cast<uint32_t>(p.byte), static_cast<uint32_t>(p.line),
             static_cast<uint32_t>(p.column)};
      report(at, std::string(e.message()));
      // A runbook whose head is broken still has items: parse them for their errors.
      if (!in_runbook && first_word(src.line(item_start.line)) == "runbook") {
        in_runbook = true;
        open_runbook = nullptr;
      }
      if (!recover(at, item_start)) break;
    } catch (const g::BuildError& e) {
      diags.error("syntax", src_ptr, e.range, e.message);
      result.ok = false;
      if (!recover(e.range.begin, item_start)) break;
    }
  }

  for (auto& [offset, comment] : st.comments) result.file.comments.push_back(std::move(comment));
  return result;
}

}  // namespace rbk
