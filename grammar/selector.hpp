// Which grammar rules become parse-tree nodes (everything else is folded away), for the
// AST builder. Leaves keep their text; expression levels collapse when they hold a single
// operand, so `a` does not become or(and(not(cmp(…(a))))).
#pragma once

#include <tao/pegtl/contrib/parse_tree.hpp>

#include "grammar/rules.hpp"

namespace rbk::grammar {

namespace pt = tao::pegtl::parse_tree;

template <typename Rule>
using selector = pt::selector<
    Rule,
    pt::store_content::on<
        // leaves
        ident_raw, duration_lit, percent_lit, float_lit, int_lit, true_lit, false_lit, null_lit,
        plain_string, triple_string, raw_string, plain_chars, triple_chars, raw_chars, escape,
        interp, node_kind, optional_mark, or_op, and_op, not_op, cmp_op, coalesce_op, add_op,
        mul_op, neg_op,
        // expressions
        paren_expr, list_lit, record_lit, record_entry, config_ref, ident_expr, field_suffix,
        index_suffix, call_suffix, named_arg, cond_expr, lambda_expr,
        // types
        type_expr, list_type, record_type, type_field, named_type,
        // clauses, items, declarations
        let_clause, when_clause, else_clause, do_clause, then_clause, on_error_clause,
        approve_by_clause, by_clause, until_clause, signal_until, approved_clause, denied_clause,
        timeout_clause, run_clause, return_clause, expr_stmt, over_clause, as_clause, waves_clause,
        concurrency_clause, rate_clause, rate_text, abort_clause, abort_gt, between_clause,
        pause_clause, approve_each_clause, aborted_clause, show_clause, ask_clause, block_node,
        end_node, doc_item, param_item, output_item, start_item, runbook_head, runbook_close,
        import_decl, module_decl, config_decl, func_param, probe_decl, action_decl, body_close>,
    pt::fold_one::on<or_expr, and_expr, not_expr, cmp_expr, coalesce_expr, add_expr, mul_expr,
                     neg_expr, postfix_expr>>;

}  // namespace rbk::grammar
