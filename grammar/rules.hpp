// The PEGTL grammar of .rbk (docs/language.md has the summary in EBNF form).
//
// Layout conventions:
// - Every token rule consumes the whitespace and comments that follow it (`tok<R>`), so a
//   rule starts exactly at its first significant character and positions point at text.
// - Rules that appear inside `must<>` are distinct types per context (`else_arrow`,
//   `when_target`) so that errors.hpp can say what was expected in words
//   ("expected '->' after 'else'"). Context wrappers contain their rule (`seq<expr>`)
//   instead of deriving from it, so that the wrapped rule is still visible to the
//   parse-tree selector (selector.hpp).
// - Whitespace is not significant: clauses and items are recognised by their keywords.
//   A `;` may end a clause or item; `rbk fmt` drops it.
#pragma once

#include <tao/pegtl.hpp>

namespace rbk::grammar {

using namespace tao::pegtl;

// ---------------------------------------------------------------- whitespace, comments

struct line_comment : seq<two<'/'>, star<not_one<'\n'>>> {};
struct ws : star<sor<plus<one<' ', '\t', '\r', '\n', '\f', '\v'>>, line_comment>> {};
template <typename R>
struct tok : seq<R, ws> {};

// ---------------------------------------------------------------- keywords and names

#define RBK_KEYWORD(name, text) \
  struct kw_##name : TAO_PEGTL_KEYWORD(text) {};
RBK_KEYWORD(import, "import")
RBK_KEYWORD(module, "module")
RBK_KEYWORD(config, "config")
RBK_KEYWORD(probe, "probe")
RBK_KEYWORD(action, "action")
RBK_KEYWORD(runbook, "runbook")
RBK_KEYWORD(doc, "doc")
RBK_KEYWORD(param, "param")
RBK_KEYWORD(start, "start")
RBK_KEYWORD(decide, "decide")
RBK_KEYWORD(wait, "wait")
RBK_KEYWORD(approve, "approve")
RBK_KEYWORD(call, "call")
RBK_KEYWORD(foreach, "foreach")
RBK_KEYWORD(end, "end")
RBK_KEYWORD(let, "let")
RBK_KEYWORD(when, "when")
RBK_KEYWORD(else, "else")
RBK_KEYWORD(do, "do")
RBK_KEYWORD(then, "then")
RBK_KEYWORD(on, "on")
RBK_KEYWORD(until, "until")
RBK_KEYWORD(return, "return")
RBK_KEYWORD(true, "true")
RBK_KEYWORD(false, "false")
RBK_KEYWORD(null, "null")
RBK_KEYWORD(and, "and")
RBK_KEYWORD(or, "or")
RBK_KEYWORD(not, "not")
RBK_KEYWORD(if, "if")
RBK_KEYWORD(in, "in")
RBK_KEYWORD(as, "as")
// Contextual words: keywords only where a clause expects them, names elsewhere.
RBK_KEYWORD(error, "error")
RBK_KEYWORD(by, "by")
RBK_KEYWORD(within, "within")
RBK_KEYWORD(every, "every")
RBK_KEYWORD(holds, "holds")
RBK_KEYWORD(signal, "signal")
RBK_KEYWORD(output, "output")
RBK_KEYWORD(show, "show")
RBK_KEYWORD(ask, "ask")
RBK_KEYWORD(approved, "approved")
RBK_KEYWORD(denied, "denied")
RBK_KEYWORD(timeout, "timeout")
RBK_KEYWORD(run, "run")
RBK_KEYWORD(list, "list")
// foreach clauses (contextual too: `ota.pause` stays a name)
RBK_KEYWORD(over, "over")
RBK_KEYWORD(waves, "waves")
RBK_KEYWORD(wave, "wave")
RBK_KEYWORD(each, "each")
RBK_KEYWORD(concurrency, "concurrency")
RBK_KEYWORD(rate, "rate")
RBK_KEYWORD(abort, "abort")
RBK_KEYWORD(after, "after")
RBK_KEYWORD(between, "between")
RBK_KEYWORD(pause, "pause")
RBK_KEYWORD(aborted, "aborted")
#undef RBK_KEYWORD

struct reserved : sor<kw_import, kw_module, kw_config, kw_probe, kw_action, kw_runbook, kw_doc,
                      kw_param, kw_start, kw_decide, kw_wait, kw_approve, kw_call, kw_foreach,
                      kw_end, kw_let, kw_when, kw_else, kw_do, kw_then, kw_on, kw_until, kw_return,
                      kw_true, kw_false, kw_null, kw_and, kw_or, kw_not, kw_in, kw_as, kw_if> {};

struct ident_raw : seq<not_at<reserved>, identifier> {};
struct name : tok<ident_raw> {};

// ---------------------------------------------------------------- punctuation

struct arrow : tok<string<'-', '>'>> {};
struct lbrace : tok<one<'{'>> {};
struct rbrace : tok<one<'}'>> {};
struct lparen : tok<one<'('>> {};
struct rparen : tok<one<')'>> {};
struct lbracket : tok<one<'['>> {};
struct rbracket : tok<one<']'>> {};
struct comma : tok<one<','>> {};
struct colon : tok<one<':'>> {};
struct equals : tok<seq<one<'='>, not_at<one<'='>>>> {};
struct dot : tok<one<'.'>> {};
struct semicolon : tok<one<';'>> {};
struct langle : tok<one<'<'>> {};
struct rangle : tok<one<'>'>> {};
struct question : tok<one<'?'>> {};

// ---------------------------------------------------------------- literals

struct dur_unit : sor<string<'m', 's'>, one<'s', 'm', 'h', 'd'>> {};
struct duration_lit : seq<plus<seq<plus<digit>, dur_unit>>, not_at<identifier_other>> {};
struct decimal : seq<plus<digit>, opt<one<'.'>, plus<digit>>> {};
struct percent_lit : seq<decimal, one<'%'>> {};
struct float_lit : seq<plus<digit>, one<'.'>, plus<digit>, not_at<identifier_other>> {};
struct int_lit : seq<plus<digit>, not_at<identifier_other>> {};
// A number glued to letters that are no unit (`5min`): reported, not misparsed.
struct bad_number : seq<decimal, identifier_other> {};
struct number : sor<duration_lit, percent_lit, float_lit, int_lit,
                    seq<at<bad_number>, tao::pegtl::raise<bad_number>>> {};

struct expr;

// Strings. Escapes: \" \\ \n \t \r \{ \} \u{hex}. `{expr}` interpolates (not in raw strings).
struct escape_code : sor<one<'"', '\\', 'n', 't', 'r', '{', '}'>,
                         seq<one<'u'>, one<'{'>, rep_min_max<1, 6, xdigit>, one<'}'>>> {};
struct escape : seq<one<'\\'>, must<escape_code>> {};
struct interp_expr : seq<expr> {};
struct interp_close : one<'}'> {};
struct interp : seq<one<'{'>, ws, must<interp_expr>, must<interp_close>> {};
struct plain_chars : plus<not_one<'"', '\\', '{', '\n', '\r'>> {};
struct string_close : one<'"'> {};
struct plain_string : seq<one<'"'>, star<sor<plain_chars, escape, interp>>, must<string_close>> {};
struct triple_quote : string<'"', '"', '"'> {};
struct triple_chars : plus<not_at<triple_quote>, not_one<'\\', '{'>> {};
struct triple_close : triple_quote {};
struct triple_string
    : seq<triple_quote, star<sor<triple_chars, escape, interp>>, must<triple_close>> {};
// `…`: a raw string, for query languages full of braces and quotes (PromQL, KQL, JSON):
// no escapes, no interpolation, any character but the backquote, lines included.
struct raw_chars : plus<not_one<'`'>> {};
struct raw_close : one<'`'> {};
struct raw_string : seq<one<'`'>, opt<raw_chars>, must<raw_close>> {};
struct string_lit : tok<sor<triple_string, plain_string, raw_string>> {};

// ---------------------------------------------------------------- types

struct type_expr;
struct list_elem_type : seq<type_expr> {};
struct list_close : rangle {};
struct list_open : langle {};
struct list_type : seq<tok<kw_list>, must<list_open>, must<list_elem_type>, must<list_close>> {};
struct field_type : seq<type_expr> {};
struct type_field_colon : colon {};
struct type_field : seq<name, must<type_field_colon>, must<field_type>> {};
struct record_type_close : rbrace {};
struct record_type
    : seq<lbrace, opt<type_field, star<comma, type_field>, opt<comma>>, must<record_type_close>> {};
struct named_type : name {};
struct optional_mark : question {};
struct type_expr : seq<sor<list_type, record_type, named_type>, opt<optional_mark>> {};

// ---------------------------------------------------------------- expressions
// Precedence, loosest first: or, and, not, comparison (non-associative), ??, + -, * /,
// unary -, postfix (.field, [index], (call)).

struct paren_inner : seq<expr> {};
struct paren_close : rparen {};
struct paren_expr : seq<lparen, must<paren_inner>, must<paren_close>> {};

struct list_item : seq<expr> {};
struct list_close_bracket : rbracket {};
struct list_lit
    : seq<lbracket, opt<list_item, star<comma, list_item>, opt<comma>>, must<list_close_bracket>> {
};

struct record_key : sor<name, string_lit> {};
struct record_value : seq<expr> {};
struct record_colon : colon {};
struct record_entry : seq<record_key, must<record_colon>, must<record_value>> {};
struct record_close : rbrace {};
struct record_lit
    : seq<lbrace, opt<record_entry, star<comma, record_entry>, opt<comma>>, must<record_close>> {};

struct config_name : name {};
struct config_dot : dot {};
struct config_ref : seq<tok<kw_config>, must<config_dot>, must<config_name>> {};

struct true_lit : tok<kw_true> {};
struct false_lit : tok<kw_false> {};
struct null_lit : tok<kw_null> {};
struct ident_expr : name {};

struct primary : sor<paren_expr, list_lit, record_lit, string_lit, tok<number>, true_lit, false_lit,
                     null_lit, config_ref, ident_expr> {};

struct field_name : name {};
struct field_suffix : seq<dot, must<field_name>> {};
struct index_inner : seq<expr> {};
struct index_close : rbracket {};
struct index_suffix : seq<lbracket, must<index_inner>, must<index_close>> {};
// `d => d.online`: a pure function of one item, only as an argument (of map, filter, …).
struct lambda_arrow : tok<string<'=', '>'>> {};
struct lambda_body : seq<expr> {};
struct lambda_expr : seq<name, lambda_arrow, must<lambda_body>> {};
struct arg_value : sor<lambda_expr, expr> {};
struct named_arg : seq<name, colon, must<arg_value>> {};
struct positional_arg : sor<lambda_expr, expr> {};
struct call_arg : sor<named_arg, positional_arg> {};
struct call_close : rparen {};
struct call_suffix
    : seq<lparen, opt<call_arg, star<comma, call_arg>, opt<comma>>, must<call_close>> {};
struct postfix_expr : seq<primary, star<sor<field_suffix, index_suffix, call_suffix>>> {};

struct neg_op : tok<seq<one<'-'>, not_at<one<'>'>>>> {};
struct neg_operand;
struct neg_expr : sor<seq<neg_op, must<neg_operand>>, postfix_expr> {};
struct neg_operand : seq<neg_expr> {};

struct mul_op : tok<sor<one<'*'>, seq<one<'/'>, not_at<one<'/'>>>>> {};
struct mul_rhs : seq<neg_expr> {};
struct mul_expr : seq<neg_expr, star<mul_op, must<mul_rhs>>> {};

struct add_op : tok<sor<one<'+'>, seq<one<'-'>, not_at<one<'>'>>>>> {};
struct add_rhs : seq<mul_expr> {};
struct add_expr : seq<mul_expr, star<add_op, must<add_rhs>>> {};

struct coalesce_op : tok<two<'?'>> {};
struct coalesce_rhs : seq<add_expr> {};
struct coalesce_expr : seq<add_expr, star<coalesce_op, must<coalesce_rhs>>> {};

struct cmp_op : tok<sor<string<'=', '='>, string<'!', '='>, string<'<', '='>, string<'>', '='>,
                        one<'<'>, one<'>'>, kw_in>> {};
struct cmp_rhs : seq<coalesce_expr> {};
struct cmp_expr : seq<coalesce_expr, opt<cmp_op, must<cmp_rhs>>> {};

struct not_op : tok<kw_not> {};
struct not_operand;
struct not_expr : sor<seq<not_op, must<not_operand>>, cmp_expr> {};
struct not_operand : seq<not_expr> {};

struct and_op : tok<kw_and> {};
struct and_rhs : seq<not_expr> {};
struct and_expr : seq<not_expr, star<and_op, must<and_rhs>>> {};

struct or_op : tok<kw_or> {};
struct or_rhs : seq<and_expr> {};
struct or_expr : seq<and_expr, star<or_op, must<or_rhs>>> {};

// `if C then A else B`: the loosest expression, so each part is a whole expression (an
// `else if` chains); a conditional inside an operator's operand needs parentheses.
struct cond_test : seq<expr> {};
struct cond_then_kw : tok<kw_then> {};
struct cond_then : seq<expr> {};
struct cond_else_kw : tok<kw_else> {};
struct cond_else : seq<expr> {};
struct cond_expr : seq<tok<kw_if>, must<cond_test>, must<cond_then_kw>, must<cond_then>,
                       must<cond_else_kw>, must<cond_else>> {};
struct expr : sor<cond_expr, or_expr> {};

// ---------------------------------------------------------------- clauses (node bodies)

struct edge_label : seq<string_lit> {};
template <typename Target>
struct edge_tail : seq<must<Target>, opt<edge_label>> {};

struct let_name : name {};
struct let_equals : equals {};
struct let_value : seq<expr> {};
struct let_clause : seq<tok<kw_let>, must<let_name>, must<let_equals>, must<let_value>> {};

struct when_cond : seq<expr> {};
struct when_arrow : arrow {};
struct when_target : name {};
struct when_clause : seq<tok<kw_when>, must<when_cond>, must<when_arrow>, edge_tail<when_target>> {
};

struct else_arrow : arrow {};
struct else_target : name {};
struct else_clause : seq<tok<kw_else>, must<else_arrow>, edge_tail<else_target>> {};

struct do_call : seq<expr> {};
// `do let job = ota.start_job(…)`: the action's result, bound once it has run.
struct do_let_name : name {};
struct do_let_equals : equals {};
struct do_binding : seq<tok<kw_let>, must<do_let_name>, must<do_let_equals>> {};
struct do_clause : seq<tok<kw_do>, opt<do_binding>, must<do_call>> {};

struct then_arrow : arrow {};
struct then_target : name {};
struct then_clause : seq<tok<kw_then>, must<then_arrow>, edge_tail<then_target>> {};

struct on_error_word : tok<kw_error> {};
struct on_error_arrow : arrow {};
struct on_error_target : name {};
struct on_error_clause
    : seq<tok<kw_on>, must<on_error_word>, must<on_error_arrow>, edge_tail<on_error_target>> {};

struct role : seq<string_lit> {};
struct approve_by_word : tok<kw_by> {};
struct approve_by_role : role {};
struct approve_by_clause : seq<tok<kw_approve>, must<approve_by_word>, must<approve_by_role>> {};
// `by "role"` in an approve node; `by d.region, d.firmware` (cohort columns) in a foreach.
struct by_item : seq<expr> {};
struct by_clause : seq<tok<kw_by>, must<by_item>, star<comma, must<by_item>>> {};

struct until_cond : seq<expr> {};
struct within_word : tok<kw_within> {};
struct within_value : seq<expr> {};
struct every_word : tok<kw_every> {};
struct every_value : seq<expr> {};
struct holds_value : seq<expr> {};
struct signal_name : seq<string_lit> {};
struct signal_as_name : name {};
// until signal "NAME" [as VAR] within DURATION: an event from outside (rbk signal), not a
// condition polled. (`signal` is a word only before a string: `until signal > 3 …` is a
// condition on a variable named signal.)
struct signal_until : seq<tok<kw_signal>, signal_name, opt<tok<kw_as>, must<signal_as_name>>,
                          must<within_word>, must<within_value>> {};
// until COND [holds DURATION] within DURATION every DURATION
struct until_clause
    : seq<tok<kw_until>,
          sor<signal_until,
              seq<must<until_cond>, opt<tok<kw_holds>, must<holds_value>>, must<within_word>,
                  must<within_value>, must<every_word>, must<every_value>>>> {};

struct approved_arrow : arrow {};
struct approved_target : name {};
struct approved_clause : seq<tok<kw_approved>, must<approved_arrow>, edge_tail<approved_target>> {};
struct denied_arrow : arrow {};
struct denied_target : name {};
struct denied_clause : seq<tok<kw_denied>, must<denied_arrow>, edge_tail<denied_target>> {};
struct timeout_after : seq<expr> {};
struct timeout_arrow : arrow {};
struct timeout_target : name {};
struct timeout_clause : seq<tok<kw_timeout>, opt<not_at<arrow>, timeout_after>, must<timeout_arrow>,
                            edge_tail<timeout_target>> {};

// An approve node's question and what it shows (docs/language.md, "Gates that ask"):
// show "TEXT"; ask NAME: TYPE in CHOICES. (`show` and `ask` are words only here.)
struct show_value : seq<expr> {};
struct show_clause : seq<tok<kw_show>, must<show_value>> {};
struct ask_name : name {};
struct ask_colon : colon {};
struct ask_type : seq<type_expr> {};
struct ask_in : tok<kw_in> {};
struct ask_choices : seq<expr> {};
struct ask_clause : seq<tok<kw_ask>, must<ask_name>, must<ask_colon>, must<ask_type>, must<ask_in>,
                        must<ask_choices>> {};

struct run_target : name {};
struct run_open : lparen {};
struct run_clause : seq<tok<kw_run>, must<run_target>, must<run_open>,
                        opt<call_arg, star<comma, call_arg>, opt<comma>>, must<call_close>> {};

// ---- foreach (docs/language.md, "Fleets")
struct over_value : seq<expr> {};
struct over_clause : seq<tok<kw_over>, must<over_value>> {};
struct as_name : name {};
struct as_clause : seq<tok<kw_as>, must<as_name>> {};
struct wave_item : seq<expr> {};  // 10%, 100, all
struct waves_clause : seq<tok<kw_waves>, must<wave_item>, star<comma, must<wave_item>>> {};
struct concurrency_value : seq<expr> {};
struct concurrency_clause : seq<tok<kw_concurrency>, must<concurrency_value>> {};
struct rate_text : seq<plus<digit>, one<'/'>, one<'s', 'm', 'h'>, not_at<identifier_other>> {};
struct rate_value : tok<rate_text> {};
struct rate_clause : seq<tok<kw_rate>, must<rate_value>> {};
struct abort_outcome : name {};
struct abort_when : tok<kw_when> {};
struct abort_gt : tok<seq<one<'>'>, not_at<one<'='>>>> {};
struct abort_threshold : seq<expr> {};
struct abort_after : seq<expr> {};
// abort when failed [or escalated] > 5% [after 20]
struct abort_clause : seq<tok<kw_abort>, must<abort_when>, must<abort_outcome>,
                          star<tok<kw_or>, must<abort_outcome>>, must<abort_gt>,
                          must<abort_threshold>, opt<tok<kw_after>, must<abort_after>>> {};
struct pause_value : seq<expr> {};
struct pause_clause : seq<tok<kw_pause>, must<pause_value>> {};
struct between_word : tok<kw_waves> {};
struct between_open : lbrace {};
struct between_close : rbrace {};
struct clause;
struct between_clause : seq<tok<kw_between>, must<between_word>, must<between_open>, star<clause>,
                            must<between_close>> {};
struct each_wave_word : tok<kw_wave> {};
struct each_by_word : tok<kw_by> {};
struct each_role : role {};
// approve each wave by "role" (before approve_by_clause, which must see 'by')
struct approve_each_clause : seq<tok<kw_approve>, tok<kw_each>, must<each_wave_word>,
                                 must<each_by_word>, must<each_role>> {};
struct aborted_arrow : arrow {};
struct aborted_target : name {};
struct aborted_clause : seq<tok<kw_aborted>, must<aborted_arrow>, edge_tail<aborted_target>> {};

struct clause
    : seq<sor<let_clause, when_clause, else_clause, do_clause, then_clause, on_error_clause,
              approve_each_clause, approve_by_clause, by_clause, until_clause, approved_clause,
              denied_clause, timeout_clause, run_clause, over_clause, as_clause, waves_clause,
              concurrency_clause, rate_clause, abort_clause, between_clause, pause_clause,
              aborted_clause, show_clause, ask_clause>,
          opt<semicolon>> {};

// ---------------------------------------------------------------- runbook items

struct node_name : name {};
struct node_label : seq<string_lit> {};
struct node_open : lbrace {};
struct node_close : rbrace {};
struct node_body : seq<must<node_open>, star<clause>, must<node_close>> {};
struct node_kind : sor<kw_decide, kw_action, kw_wait, kw_approve, kw_call, kw_foreach> {};
struct block_node : seq<tok<node_kind>, must<node_name>, opt<node_label>, node_body> {};

struct end_as : tok<kw_as> {};
struct end_outcome : name {};
struct end_node
    : seq<tok<kw_end>, must<node_name>, opt<node_label>, must<end_as>, must<end_outcome>> {};

struct doc_text : seq<string_lit> {};
struct doc_item : seq<tok<kw_doc>, must<doc_text>> {};

struct param_name : name {};
struct param_colon : colon {};
struct param_type : seq<type_expr> {};
struct param_default : seq<expr> {};
struct param_item : seq<tok<kw_param>, must<param_name>, must<param_colon>, must<param_type>,
                        opt<equals, must<param_default>>> {};

// output NAME: TYPE — a value the runbook gives the call node that runs it (NODE.NAME).
struct output_name : name {};
struct output_colon : colon {};
struct output_type : seq<type_expr> {};
struct output_item : seq<tok<kw_output>, must<output_name>, must<output_colon>, must<output_type>> {
};

struct start_arrow : arrow {};
struct start_target : name {};
struct start_item : seq<tok<kw_start>, must<start_arrow>, must<start_target>> {};

struct runbook_item : seq<sor<doc_item, param_item, output_item, start_item, end_node, block_node>,
                          opt<semicolon>> {};
struct runbook_close : rbrace {};
// The driver (parser.cpp) parses a runbook as runbook_head, then runbook_step until the
// closing brace, so that it can recover after an error at the next item.
struct runbook_step : sor<runbook_close, runbook_item> {};

struct runbook_name : name {};
struct runbook_title : seq<string_lit> {};
struct runbook_open : lbrace {};
struct runbook_head
    : seq<tok<kw_runbook>, must<runbook_name>, opt<runbook_title>, must<runbook_open>> {};

// ---------------------------------------------------------------- top level

struct import_path : seq<string_lit> {};
struct import_decl : seq<tok<kw_import>, must<import_path>> {};

struct module_name : name {};
struct module_decl : seq<tok<kw_module>, must<module_name>> {};

struct config_decl_name : name {};
struct config_colon : colon {};
struct config_type : seq<type_expr> {};
struct config_decl : seq<tok<kw_config>, not_at<dot>, must<config_decl_name>, must<config_colon>,
                         must<config_type>> {};

struct func_param
    : seq<name, must<param_colon>, must<param_type>, opt<equals, must<param_default>>> {};
struct func_params_close : rparen {};
struct func_params
    : seq<opt<func_param, star<comma, func_param>, opt<comma>>, must<func_params_close>> {};
struct func_name : name {};
struct func_open : lparen {};
struct result_type : seq<type_expr> {};
struct probe_arrow : arrow {};
struct return_value : seq<expr> {};
struct return_clause : seq<tok<kw_return>, must<return_value>> {};
struct expr_stmt : seq<expr> {};
struct statement : seq<sor<let_clause, return_clause, expr_stmt>, opt<semicolon>> {};
struct body_open : lbrace {};
struct body_close : rbrace {};
struct func_body : seq<must<body_open>, star<statement>, must<body_close>> {};
struct probe_decl : seq<tok<kw_probe>, must<func_name>, must<func_open>, func_params,
                        must<probe_arrow>, must<result_type>, func_body> {};
struct action_decl : seq<tok<kw_action>, must<func_name>, must<func_open>, func_params,
                         opt<arrow, must<result_type>>, func_body> {};

struct top_item
    : seq<sor<import_decl, module_decl, config_decl, probe_decl, action_decl, runbook_head>,
          opt<semicolon>> {};
// What the driver expects at the top level of a file.
struct top_step : sor<eof, top_item> {};
struct runbook_or_end : sor<eof, runbook_step> {};

// The whole language as one rule: pegtl::analyze runs on it in the tests. The driver
// parses the same rules piecewise (see parser.cpp) to recover from errors.
struct runbook_decl : seq<runbook_head, star<runbook_item>, must<runbook_close>> {};
struct file_item
    : seq<sor<import_decl, module_decl, config_decl, probe_decl, action_decl, runbook_decl>,
          opt<semicolon>> {};
struct file : seq<ws, star<file_item>, eof> {};

}  // namespace rbk::grammar
