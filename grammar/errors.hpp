// Syntax error messages, one per rule that can fail inside `must<>` (rules.hpp). The
// parser's control (parser.cpp) refuses to compile when a rule that can raise has no
// message here, so a user never sees a rule name. The parser appends what it found
// ("…, found 'chek'").
#pragma once

#include "grammar/rules.hpp"

namespace rbk::grammar {

template <typename Rule>
inline constexpr const char* error_message = nullptr;

#define RBK_ERROR(rule, text) \
  template <>                 \
  inline constexpr const char* error_message<rule> = text;

// strings and numbers
RBK_ERROR(escape_code,
          "unknown escape sequence: use \\\", \\\\, \\n, \\t, \\r, \\{, \\} or \\u{hex}")
RBK_ERROR(interp_expr,
          "expected an expression after '{' in a string (write \\{ for a literal brace)")
RBK_ERROR(interp_close, "expected '}' to close the interpolation")
// conditional expressions
RBK_ERROR(cond_test, "expected a condition after 'if'")
RBK_ERROR(cond_then_kw, "expected 'then' after the condition: if C then A else B")
RBK_ERROR(cond_then, "expected an expression after 'then'")
RBK_ERROR(cond_else_kw, "an 'if' expression needs its 'else': if C then A else B")
RBK_ERROR(cond_else, "expected an expression after 'else'")
RBK_ERROR(string_close, "unterminated string: expected '\"' before the end of the line")
RBK_ERROR(triple_close, "unterminated string: expected '\"\"\"' before the end of the file")
RBK_ERROR(raw_close, "unterminated raw string: expected '`' before the end of the file")
RBK_ERROR(bad_number,
          "a number cannot be followed by letters: duration units are ms, s, m, h and d")

// types
RBK_ERROR(list_open, "expected '<' after 'list' (as in list<string>)")
RBK_ERROR(list_elem_type, "expected the element type of the list")
RBK_ERROR(list_close, "expected '>' to close the list type")
RBK_ERROR(type_field_colon, "expected ':' and a type after the field name")
RBK_ERROR(field_type, "expected the field's type")
RBK_ERROR(record_type_close, "expected '}' to close the record type")

// expressions
RBK_ERROR(paren_inner, "expected an expression after '('")
RBK_ERROR(paren_close, "expected ')' to close the parenthesis")
RBK_ERROR(list_close_bracket, "expected ',' or ']' in the list")
RBK_ERROR(record_colon, "expected ':' after the field name in the record")
RBK_ERROR(record_value, "expected a value after ':' in the record")
RBK_ERROR(record_close, "expected ',' or '}' in the record")
RBK_ERROR(config_dot, "expected '.' after 'config' (as in config.fleet_api)")
RBK_ERROR(config_name, "expected the name of a configuration value after 'config.'")
RBK_ERROR(field_name, "expected a field name after '.'")
RBK_ERROR(index_inner, "expected an index expression after '['")
RBK_ERROR(index_close, "expected ']' to close the index")
RBK_ERROR(arg_value, "expected the argument's value after ':'")
RBK_ERROR(call_close, "expected ',' or ')' in the argument list")
RBK_ERROR(neg_operand, "expected an operand after '-'")
RBK_ERROR(mul_rhs, "expected an operand after the operator")
RBK_ERROR(add_rhs, "expected an operand after the operator")
RBK_ERROR(coalesce_rhs, "expected a default value after '?\?'")
RBK_ERROR(cmp_rhs, "expected a value to compare with")
RBK_ERROR(not_operand, "expected a condition after 'not'")
RBK_ERROR(and_rhs, "expected a condition after 'and'")
RBK_ERROR(or_rhs, "expected a condition after 'or'")

// clauses
RBK_ERROR(let_name, "expected a variable name after 'let'")
RBK_ERROR(let_equals, "expected '=' after the variable name")
RBK_ERROR(let_value, "expected an expression after '='")
RBK_ERROR(when_cond, "expected a condition after 'when'")
RBK_ERROR(when_arrow, "expected '->' after the condition of 'when'")
RBK_ERROR(when_target, "expected the name of the target node after '->'")
RBK_ERROR(else_arrow, "expected '->' after 'else'")
RBK_ERROR(else_target, "expected the name of the target node after 'else ->'")
RBK_ERROR(lambda_body, "expected an expression after '=>' (as in d => d.online)")
RBK_ERROR(signal_as_name,
          "expected a variable name after 'as' (until signal \"NAME\" as event within 5m)")
RBK_ERROR(do_call, "expected a call after 'do' (as in do gateway.restart(gw))")
RBK_ERROR(do_let_name,
          "expected a variable name after 'do let' (as in do let job = ota.start_job(…))")
RBK_ERROR(do_let_equals,
          "expected '=' after the variable name (as in do let job = ota.start_job(…))")
RBK_ERROR(then_arrow, "expected '->' after 'then'")
RBK_ERROR(then_target, "expected the name of the target node after 'then ->'")
RBK_ERROR(on_error_word, "expected 'error' after 'on' (as in on error -> node)")
RBK_ERROR(on_error_arrow, "expected '->' after 'on error'")
RBK_ERROR(on_error_target, "expected the name of the target node after 'on error ->'")
RBK_ERROR(approve_by_word, "expected 'by' after 'approve' in an action (as in approve by \"ops\")")
RBK_ERROR(approve_by_role, "expected the approving role as a string after 'approve by'")
RBK_ERROR(by_item,
          "expected the approving role as a string after 'by' (or, in a foreach, the cohort "
          "columns: by d.region, d.firmware)")
RBK_ERROR(show_value, "expected the text to show after 'show' (as in show \"{device} is offline\")")
RBK_ERROR(ask_name, "expected the answer's name after 'ask' (as in ask window: string in windows)")
RBK_ERROR(ask_colon, "expected ':' and a type after the answer's name (ask window: string in …)")
RBK_ERROR(ask_type, "expected the answer's type after ':'")
RBK_ERROR(ask_in,
          "expected 'in' and the choices after the answer's type (ask window: string in "
          "[\"tonight\", \"sunday\"])")
RBK_ERROR(ask_choices, "expected the list of choices after 'in'")
RBK_ERROR(until_cond, "expected a condition after 'until'")
RBK_ERROR(holds_value,
          "expected a duration after 'holds' (as in until c holds 10m within 1h every 1m)")
RBK_ERROR(within_word,
          "expected 'within' after the condition of 'until' (as in until c within 10m every 1m)")
RBK_ERROR(within_value, "expected a duration after 'within'")
RBK_ERROR(every_word, "expected 'every' after the 'within' duration (as in within 10m every 1m)")
RBK_ERROR(every_value, "expected a duration after 'every'")
RBK_ERROR(approved_arrow, "expected '->' after 'approved'")
RBK_ERROR(approved_target, "expected the name of the target node after 'approved ->'")
RBK_ERROR(denied_arrow, "expected '->' after 'denied'")
RBK_ERROR(denied_target, "expected the name of the target node after 'denied ->'")
RBK_ERROR(timeout_arrow, "expected '->' after 'timeout'")
RBK_ERROR(timeout_target, "expected the name of the target node after 'timeout ->'")
RBK_ERROR(run_target, "expected the name of a runbook after 'run'")
RBK_ERROR(run_open, "expected '(' and the runbook's arguments after its name")
RBK_ERROR(over_value, "expected the list to go over after 'over' (a probe call or a variable)")
RBK_ERROR(as_name, "expected the item's name after 'as' (as in as d)")
RBK_ERROR(wave_item, "expected a wave after 'waves': a share (10%), a count (100) or all")
RBK_ERROR(concurrency_value, "expected how many children run at once after 'concurrency'")
RBK_ERROR(rate_value, "expected a rate after 'rate': starts per second, minute or hour (600/m)")
RBK_ERROR(abort_when, "expected 'when' after 'abort' (as in abort when failed > 5% after 20)")
RBK_ERROR(abort_outcome,
          "expected an outcome after 'abort when' (failed, escalated, mitigated or resolved)")
RBK_ERROR(abort_gt, "expected '>' and a threshold after the outcomes (as in failed > 5%)")
RBK_ERROR(abort_threshold, "expected a threshold after '>': a share (5%) or a count (10)")
RBK_ERROR(abort_after, "expected how many children must finish first after 'after' (after 20)")
RBK_ERROR(pause_value, "expected a duration after 'pause'")
RBK_ERROR(between_word, "expected 'waves' after 'between' (as in between waves { … })")
RBK_ERROR(between_open, "expected '{' to open the between-waves block")
RBK_ERROR(between_close,
          "expected a clause (pause, until, approve by) or '}' to close the between-waves block")
RBK_ERROR(each_wave_word, "expected 'wave' after 'approve each' (approve each wave by \"role\")")
RBK_ERROR(each_by_word, "expected 'by' and a role after 'approve each wave'")
RBK_ERROR(each_role, "expected the approving role as a string after 'approve each wave by'")
RBK_ERROR(aborted_arrow, "expected '->' after 'aborted'")
RBK_ERROR(aborted_target, "expected the name of the target node after 'aborted ->'")

// runbook items
RBK_ERROR(node_name, "expected a node name")
RBK_ERROR(node_open, "expected '{' to open the node's body")
RBK_ERROR(
    node_close,
    "expected a clause (let, when, else, do, then, on error, approve by, by, show, ask, until, "
    "approved, denied, timeout, run; in a foreach: over, as, waves, concurrency, rate, abort when, "
    "between waves, approve each wave by, aborted) or '}' to close the node")
RBK_ERROR(end_as,
          "expected 'as' and an outcome after the end node's name and label (as in end done "
          "\"Done\" as resolved)")
RBK_ERROR(end_outcome, "expected an outcome after 'as': resolved, mitigated, escalated or failed")
RBK_ERROR(doc_text, "expected a string after 'doc'")
RBK_ERROR(param_name, "expected a parameter name")
RBK_ERROR(param_colon, "expected ':' and a type after the parameter name")
RBK_ERROR(param_type, "expected a type after ':'")
RBK_ERROR(output_name, "expected an output name (output renewal: string)")
RBK_ERROR(output_colon, "expected ':' and a type after the output name")
RBK_ERROR(output_type, "expected a type after ':'")
RBK_ERROR(param_default, "expected a default value after '='")
RBK_ERROR(start_arrow, "expected '->' after 'start'")
RBK_ERROR(start_target, "expected the name of the first node after 'start ->'")
RBK_ERROR(runbook_close, "expected '}' to close the runbook")
RBK_ERROR(
    runbook_or_end,
    "expected a runbook item (doc, param, start, decide, action, wait, approve, call, foreach, "
    "end) or "
    "'}' to close the runbook")
RBK_ERROR(runbook_name, "expected a runbook name after 'runbook'")
RBK_ERROR(runbook_open, "expected '{' to open the runbook")

// top level
RBK_ERROR(top_step, "expected import, module, config, probe, action or runbook")
RBK_ERROR(import_path, "expected a file path as a string after 'import'")
RBK_ERROR(module_name, "expected a module name after 'module'")
RBK_ERROR(config_decl_name, "expected the name of a configuration value after 'config'")
RBK_ERROR(config_colon, "expected ':' and a type after the configuration name")
RBK_ERROR(config_type, "expected a type after ':'")
RBK_ERROR(func_name, "expected a name after 'probe' or 'action'")
RBK_ERROR(func_open, "expected '(' and the parameter list after the name")
RBK_ERROR(func_params_close, "expected ',' or ')' in the parameter list")
RBK_ERROR(probe_arrow, "expected '->' and the result type after the parameters of a probe")
RBK_ERROR(result_type, "expected a result type after '->'")
RBK_ERROR(return_value, "expected an expression after 'return'")
RBK_ERROR(body_open, "expected '{' to open the body")
RBK_ERROR(body_close, "expected a statement (let, return or a call) or '}' to close the body")

#undef RBK_ERROR

}  // namespace rbk::grammar
