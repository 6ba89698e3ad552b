#!/usr/bin/env bash
# rbk run / approve / resume / runs / test / compile / disasm as a user drives them:
# exit codes, a dry-run's pause at a gate (exit 3) resumed by another person,
# self-approval and role checks, a denial following the denied edge, scenario runs that
# never pause, a tampered .rbc refused, traces.
# Usage: run_cli_test.sh RBK SOURCE_DIR
set -u
rbk="$1"
src="$2"
tmp=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
trap 'rm -rf "$tmp"' EXIT
export RBK_STORE=$(test_store)
latest_run() { "$rbk" runs | sed -n 2p | awk '{print $1}'; }

cd "$src/tests/vm"
cat > "$tmp/restart.json" <<'JSON'
{ "runbook": "gates", "params": {"device": "sensor-1"},
  "probes": {"dev.errors": {"returns": 9}, "dev.online": {"returns": true}} }
JSON
# People decide gates of dry-runs and live runs: a dry-run of approvals.rbk (no probe,
# actions only recorded) pauses at its gates without any network.
echo '{"api": "http://127.0.0.1:9"}' > "$tmp/api.json"
restart=(approvals.rbk --dry-run --config "$tmp/api.json" --param device=sensor-1 --param errors=9)
escalate=(approvals.rbk --dry-run --config "$tmp/api.json" --param device=sensor-1 --param errors=0)

# A gate without a decision pauses the run (no terminal): exit 3, the plan shown.
expect "run pauses at the gate" 3 "$rbk" run "${restart[@]}" --as alice
contains "pause names the gate" "$tmp/out" "paused at gate 'restart' (role \"ops\")"
contains "plan with evaluated arguments" "$tmp/out" 'plan: dev.restart("sensor-1")'
contains "how to resume" "$tmp/out" "rbk approve"
run1=$(latest_run)
expect "runs lists it" 0 "$rbk" runs
contains "runs has a header" "$tmp/out" "RUN                        RUNBOOK"
contains "runs shows who it waits for" "$tmp/out" "ops (gate restart)"
expect "runs waiting for ops" 0 "$rbk" runs --waiting-for ops
contains "the paused run is listed for ops" "$tmp/out" "$run1"
expect "runs waiting for another role" 0 "$rbk" runs --waiting-for nobody
contains "none for another role" "$tmp/out" "no runs that match"
expect "runs as JSON" 0 "$rbk" runs --json --status paused
contains "JSON names the gate" "$tmp/out" '"gate": "restart"'
expect "a mistyped state" 2 "$rbk" runs --status pasued
contains "state suggestion" "$tmp/err" "did you mean 'paused'?"
expect "one run as JSON" 0 "$rbk" runs "$run1" --json
contains "its raw trace events" "$tmp/out" '"event": "gate_asked"'
contains "paused status" "$tmp/out" "paused"
expect "self-approval refused" 1 "$rbk" approve "$run1" --as alice
contains "why refused" "$tmp/err" "alice started this run and cannot approve its gates"
expect "approval resumes the run" 0 "$rbk" approve "$run1" --as bob --comment "looks safe" --wait
contains "resumed where it stopped" "$tmp/out" "resuming run $run1"
lacks "no node replayed twice on screen" "$tmp/out" "● check —"
contains "actions recorded" "$tmp/out" 'would do dev.restart("sensor-1")'
contains "outcome" "$tmp/out" "outcome: resolved"
expect "runs shows the run" 0 "$rbk" runs "$run1"
contains "approval recorded" "$tmp/out" "approval   restart approved by bob"
contains "approval comment" "$tmp/out" "looks safe"
contains "its output, as rbk run and approve printed it" "$tmp/out" "● settled — Let it settle"
expect "its raw trace as JSON" 0 "$rbk" runs "$run1" --json
contains "trace kept" "$tmp/out" '"event": "run_ended"'
expect "approving a finished run" 2 "$rbk" approve "$run1" --as bob
# The audit log: the start, the approval bound to its plan, the resume, in a hash chain
# that names an edited or a deleted entry.
expect "the audit log" 0 "$rbk" audit
contains "who started it" "$tmp/out" "alice      start        $run1"
contains "who approved it, and the plan" "$tmp/out" "bob        approve      $run1"
contains "the comment" "$tmp/out" "restart: looks safe"
expect "the chain verifies" 0 "$rbk" audit verify
contains "intact" "$tmp/out" "the chain is intact"
expect "the store copied (to tamper with)" 0 "$rbk" store copy --from "$RBK_STORE" --to "sqlite:$tmp/audit-edited.db"
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE audit SET actor = ? WHERE action = ?", ("mallory", "approve")); c.commit()' "$tmp/audit-edited.db"
expect "an edited entry" 1 "$rbk" audit verify --store "$tmp/audit-edited.db"
contains "named, and how" "$tmp/out" "(approve by mallory, run $run1): its hash does not match what it says (edited)"
expect "copied again" 0 "$rbk" store copy --from "$RBK_STORE" --to "sqlite:$tmp/audit-deleted.db"
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM audit WHERE action = ?", ("approve",)); c.commit()' "$tmp/audit-deleted.db"
expect "a deleted entry" 1 "$rbk" audit verify --store "$tmp/audit-deleted.db"
contains "the gap named" "$tmp/out" "is missing (deleted)"
# API tokens: shown once, kept as a hash, listed without their secret, revoked; audited.
expect "a token created" 0 "$rbk" token create --name bob --roles ops,oncall --expires 30d --as admin
token=$(head -1 "$tmp/out")
check "the token's form" "$([[ "$token" =~ ^rbk_[0-9a-f]{8}_[0-9a-f]{64}$ ]]; echo $?)" "$token"
contains "said once" "$tmp/err" "shown once"
expect "tokens listed" 0 "$rbk" token list
lacks "never the secret" "$tmp/out" "${token##*_}"
contains "bob's roles" "$tmp/out" "ops,oncall"
check "the store keeps no token" "$(store_dump | grep -q "${token##*_}"; [ $? -eq 1 ]; echo $?)" "the secret is in the store"
id=$(echo "$token" | cut -d_ -f2)
expect "revoked" 0 "$rbk" token revoke "$id" --as admin
expect "revoked once" 2 "$rbk" token revoke "$id" --as admin
expect "listed as revoked" 0 "$rbk" token list
contains "its state" "$tmp/out" "revoked"
expect "a bad expiry" 2 "$rbk" token create --name x --roles ops --expires soon
contains "named" "$tmp/err" "--expires 'soon' is not a duration"
expect "token changes audited" 0 "$rbk" audit
contains "the creation" "$tmp/out" "admin      token-create"
contains "the revocation" "$tmp/out" "admin      token-revoke"
expect "the chain still verifies" 0 "$rbk" audit verify
expect "unknown run" 2 "$rbk" approve no-such-run --as bob

# A denial follows the denied edge.
expect "approve node pauses" 3 "$rbk" run "${escalate[@]}" --as alice
run2=$(latest_run)
expect "denial resumes" 0 "$rbk" approve "$run2" --as bob --deny --wait
contains "denied edge" "$tmp/out" "gate gate: denied"
contains "ends at done" "$tmp/out" "● done"

# A policy must grant every capability the runbook can use.
printf '{"capabilities": {"notify": true}}' > "$tmp/narrow.json"
expect "ungranted capability refused" 2 "$rbk" run gates.rbk --scenario "$tmp/restart.json" --policy "$tmp/narrow.json"
contains "capability named" "$tmp/err" "does not grant capability 'net.http', which runbook 'gates' uses (through"

# Roles come from the policy.
printf '{"capabilities": {"net.http": ["127.0.0.1"], "notify": true}, "roles": {"ops": ["carol"]}}' > "$tmp/policy.json"
expect "paused under a policy" 3 "$rbk" run "${restart[@]}" --policy "$tmp/policy.json" --as alice
run3=$(latest_run)
expect "not in role" 1 "$rbk" approve "$run3" --as bob
contains "role named" "$tmp/err" 'bob is not in role "ops"'
contains "who holds the role" "$tmp/err" '(it is held by carol)'
expect "member approves" 0 "$rbk" approve "$run3" --as carol --wait
printf '{"roles": 5}' > "$tmp/bad-policy.json"
expect "bad policy" 2 "$rbk" run gates.rbk --scenario "$tmp/restart.json" --policy "$tmp/bad-policy.json"
contains "policy error" "$tmp/err" '"roles" must be an object'
printf '{"read_only_posts": ["ftp://graph.example/"]}' > "$tmp/bad-policy.json"
expect "bad read-only endpoint" 2 "$rbk" run gates.rbk --scenario "$tmp/restart.json" --policy "$tmp/bad-policy.json"
contains "read-only endpoints are URLs" "$tmp/err" '"read_only_posts" takes http or https URLs'

# On a terminal, the person is asked (when the policy lets the starter decide).
printf '{"capabilities": {"net.http": ["127.0.0.1"], "notify": true}, "self_approval": true}' > "$tmp/self.json"
printf 'y\n' | script -qec "$rbk run ${restart[*]} --policy $tmp/self.json --as alice" /dev/null > "$tmp/tty.out" 2>&1
contains "terminal prompt shows the plan" "$tmp/tty.out" 'will do: dev.restart("sensor-1")'
contains "terminal prompt asks" "$tmp/tty.out" "approve as alice? [y/N]"
contains "terminal approval goes on" "$tmp/tty.out" "outcome: resolved"
printf 'n\n' | script -qec "$rbk run ${restart[*]} --policy $tmp/self.json --as alice" /dev/null > "$tmp/tty.out" 2>&1
contains "terminal denial" "$tmp/tty.out" "gate restart: denied"
printf '' | script -qec "$rbk run ${restart[*]} --as alice" /dev/null > "$tmp/tty.out" 2>&1
contains "no self-approval at the terminal" "$tmp/tty.out" "alice started this run and cannot approve its gates"
contains "then it pauses" "$tmp/tty.out" "paused at gate 'restart'"

# A gate that asks: the terminal lists each question's choices and takes a number or the
# choice as written; rbk approve takes --answer QUESTION=CHOICE and refuses a pick that is
# no choice; --approve-all needs --answer GATE.QUESTION=CHOICE; a scenario answers with picks.
printf 'y\nsunday\n2\n3\n' | script -qec "$rbk run asks.rbk --dry-run --policy $tmp/self.json --as alice --store $tmp/asks.db" /dev/null > "$tmp/tty.out" 2>&1
contains "the prompt shows the text" "$tmp/tty.out" "gw-7 serves 40 devices; they go offline for about 10 minutes"
contains "and lists the choices" "$tmp/tty.out" "2) saturday 06:00"
contains "a pick that is no choice is asked again" "$tmp/tty.out" "(a number from the list, or a choice as written)"
contains "the picks reach the next node" "$tmp/tty.out" 'first: 40, window: "saturday 06:00"'
expect "paused at a gate that asks" 3 "$rbk" run asks.rbk --dry-run --as alice
contains "the hint names the questions" "$tmp/out" "--answer window=CHOICE --answer batch=CHOICE"
asks=$(latest_run)
expect "rbk runs shows the questions" 0 "$rbk" runs "$asks" --json
contains "with their choices" "$tmp/out" '"choices": ['
expect "approving without a pick" 1 "$rbk" approve "$asks" --as bob --answer batch=5
contains "names what is missing" "$tmp/err" "gate 'plan' asks 'window': pick one of 'tonight 02:00', 'saturday 06:00'"
expect "a pick for no question" 1 "$rbk" approve "$asks" --as bob --answer "window=tonight 02:00" --answer batch=5 --answer size=3
contains "is refused" "$tmp/err" "gate 'plan' asks no 'size' (it asks 'window', 'batch')"
expect "approving with picks" 0 "$rbk" approve "$asks" --as bob --answer "window=tonight 02:00" --answer batch=1 --wait
contains "the run reads them" "$tmp/out" 'first: 1, window: "tonight 02:00"'
expect "the approval keeps the picks" 0 "$rbk" runs "$asks"
contains "shown with it" "$tmp/out" "approval   plan approved by bob"
contains "picks shown" "$tmp/out" "— batch = 1, window = tonight 02:00"
expect "the audit chain keeps them" 0 "$rbk" audit
contains "with the approval" "$tmp/out" "plan (batch = 1, window = tonight 02:00)"
expect "--approve-all without --answer" 1 "$rbk" run asks.rbk --dry-run --approve-all
contains "says how to pick" "$tmp/out" "with --approve-all, pick with --answer plan.window=CHOICE"
expect "--approve-all with --answer" 0 "$rbk" run asks.rbk --dry-run --approve-all --answer "plan.window=saturday 06:00" --answer plan.batch=5
contains "picks the answers given" "$tmp/out" 'gate plan: approved — window = "saturday 06:00", batch = 5'
expect "--answer needs --approve-all" 2 "$rbk" run asks.rbk --dry-run --answer plan.batch=5
printf '{"runbook": "update_gateway", "approvals": {"plan": {"decision": "approved", "picks": {"window": "tonight 02:00", "batch": "40"}}}}' > "$tmp/asks.json"
expect "a scenario picks" 0 "$rbk" run asks.rbk --scenario "$tmp/asks.json"
contains "its picks are read" "$tmp/out" 'first: 40, window: "tonight 02:00"'
printf '{"runbook": "update_gateway", "approvals": {"plan": {"decision": "approved", "picks": {"window": "now", "batch": "40"}}}}' > "$tmp/asks.json"
expect "a scenario's pick that is no choice" 1 "$rbk" run asks.rbk --scenario "$tmp/asks.json"
contains "fails the run, naming it" "$tmp/out" "'now' is not one of its choices"
printf '{"runbook": "update_gateway", "approvals": {"plan": {"decision": "approved", "pick": {}}}}' > "$tmp/asks.json"
expect "a misspelt scenario key" 2 "$rbk" run asks.rbk --scenario "$tmp/asks.json"
contains "is named" "$tmp/err" "pick"

# rbk approve records the decision and returns; the run goes on in a process of its own,
# whose output rbk runs RUN --follow shows as it comes.
gone() { for i in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
expect "a run that settles for 2s pauses" 3 "$rbk" run "${restart[@]}" --param settle=2s --as alice
run4=$(latest_run)
expect "approve returns at once" 0 "$rbk" approve "$run4" --as bob
contains "it says where the run goes on" "$tmp/out" "the run goes on in process"
expect "it is running meanwhile" 0 "$rbk" runs --status running
contains "listed as running" "$tmp/out" "$run4"
expect "follow watches it to its end" 0 "$rbk" runs "$run4" --follow
contains "follow shows the resumed part" "$tmp/out" "resuming run $run4"
contains "follow shows the outcome" "$tmp/out" "outcome: resolved"
expect "runs RUN shows the output readably" 0 "$rbk" runs "$run4"
contains "the approved gate" "$tmp/out" "gate restart: approved"
expect "follow needs a run" 2 "$rbk" runs --follow

# A run whose process died is interrupted, not running forever: rbk resume goes on, or
# rbk cancel ends it.
expect "a run that settles for 30s pauses" 3 "$rbk" run "${restart[@]}" --param settle=30s --as alice
run5=$(latest_run)
expect "approved, going on" 0 "$rbk" approve "$run5" --as bob
pid=$(sed -n 's/.*goes on in process \([0-9]*\).*/\1/p' "$tmp/out")
kill -9 "$pid"
check "its process is gone" "$(gone "$pid"; echo $?)" "process $pid still runs"
expect "listed as interrupted" 0 "$rbk" runs --status interrupted
contains "the interrupted run" "$tmp/out" "$run5"
expect "runs RUN says how to go on" 0 "$rbk" runs "$run5"
contains "interrupted, with the way on" "$tmp/out" "status     interrupted (its process stopped: rbk resume $run5 goes on)"
expect "following an interrupted run ends" 1 "$rbk" runs "$run5" --follow
contains "follow says it was interrupted" "$tmp/out" "run $run5 was interrupted"
expect "cancel an interrupted run" 0 "$rbk" cancel "$run5" --as carol --comment "restarted by hand"
expect "runs shows who cancelled it" 0 "$rbk" runs "$run5"
contains "cancelled" "$tmp/out" "status     cancelled"
contains "by whom and why" "$tmp/out" "error      cancelled by carol: restarted by hand"
expect "cancelling twice" 2 "$rbk" cancel "$run5"
expect "resuming a cancelled run" 2 "$rbk" resume "$run5"
expect "cancelling no run" 2 "$rbk" cancel r-none
# A running run is cancelled by stopping its process.
expect "a third settling run pauses" 3 "$rbk" run "${restart[@]}" --param settle=30s --as alice
run6=$(latest_run)
expect "approved, going on again" 0 "$rbk" approve "$run6" --as bob
pid=$(sed -n 's/.*goes on in process \([0-9]*\).*/\1/p' "$tmp/out")
expect "resuming a running run is refused" 2 "$rbk" resume "$run6"
contains "it says how to follow it" "$tmp/err" "rbk runs $run6 --follow"
expect "cancel a running run" 0 "$rbk" cancel "$run6" --as carol
check "its process was stopped" "$(gone "$pid"; echo $?)" "process $pid still runs"
expect "the cancelled run" 0 "$rbk" runs "$run6" --json
contains "cancelled in JSON" "$tmp/out" '"status": "cancelled"'
# The process that goes on dies at its first journal write: the approved gate is not
# shown waiting again; the run is interrupted, and rbk resume takes it to its end.
expect "a fourth run pauses" 3 "$rbk" run "${restart[@]}" --as alice
run7=$(latest_run)
RBK_CRASH_AFTER=1 "$rbk" approve "$run7" --as bob > "$tmp/out" 2>&1
pid=$(sed -n 's/.*goes on in process \([0-9]*\).*/\1/p' "$tmp/out")
check "the decision was recorded" "$([ -n "$pid" ]; echo $?)" "$(cat "$tmp/out")"
gone "$pid"
expect "not waiting any more" 0 "$rbk" runs --waiting-for ops
lacks "the approved run is not waiting" "$tmp/out" "$run7"
expect "resume takes it to its end" 0 "$rbk" resume "$run7"
contains "the decision replayed" "$tmp/out" "outcome: resolved"

# A scenario run never pauses: a gate its scenario does not answer is an error naming
# the gate (exit 1), nothing waits for approval, and nobody at a terminal is asked.
expect "an unanswered gate in a scenario" 1 "$rbk" run gates.rbk --scenario "$tmp/restart.json" --store "$tmp/unanswered.db"
contains "the gate named" "$tmp/out" "the scenario does not answer gate 'restart' (role \"ops\")"
contains "how to answer it" "$tmp/out" '"approvals": {"restart": "approved"}'
lacks "no approval suggested" "$tmp/out" "rbk approve"
expect "nothing paused" 0 "$rbk" runs --status paused --store "$tmp/unanswered.db"
contains "no paused run stored" "$tmp/out" "no runs that match"
printf 'y\n' | script -qec "$rbk run gates.rbk --scenario $tmp/restart.json --policy $tmp/self.json --as alice --store $tmp/unanswered.db" /dev/null > "$tmp/tty.out" 2>&1
lacks "no prompt in a scenario run" "$tmp/tty.out" "approve as alice?"
contains "the same error at a terminal" "$tmp/tty.out" "the scenario does not answer gate 'restart'"

# Flags decide gates in scenario runs; traces are JSON lines with run id and program hash.
expect "approve-all with trace" 0 "$rbk" run gates.rbk --scenario "$tmp/restart.json" --approve-all --trace "$tmp/t.jsonl"
contains "trace has events" "$tmp/t.jsonl" '"event":"node_entered"'
contains "trace has program hash" "$tmp/t.jsonl" '"program":"'
contains "trace has gate decisions" "$tmp/t.jsonl" '"event":"gate_decided"'
expect "deny flag (the run ends failed: exit 1)" 1 "$rbk" run gates.rbk --scenario "$tmp/restart.json" --deny restart
contains "denied action gate takes on error" "$tmp/out" "● failed_end"

# Compile, disassemble, and refuse a tampered program.
expect "compile" 0 "$rbk" compile gates.rbk --runbook gates -o "$tmp/g.rbc"
expect "disasm of rbc" 0 "$rbk" disasm "$tmp/g.rbc"
contains "disasm shows code" "$tmp/out" "PLAN             dev.restart, 1"
expect "run from rbc" 0 "$rbk" run "$tmp/g.rbc" --scenario "$tmp/restart.json" --approve-all
cp "$tmp/g.rbc" "$tmp/bad.rbc"
printf '\x58' | dd of="$tmp/bad.rbc" bs=1 seek=200 conv=notrunc 2>/dev/null
expect "tampered rbc refused" 1 "$rbk" run "$tmp/bad.rbc" --scenario "$tmp/restart.json"
contains "hash mismatch named" "$tmp/err" "content hash mismatch"
expect "tampered rbc refused by disasm" 1 "$rbk" disasm "$tmp/bad.rbc"
head -c 100 "$tmp/g.rbc" > "$tmp/short.rbc"
expect "truncated rbc refused" 1 "$rbk" disasm "$tmp/short.rbc"

# The readable path of a wait: one line per poll, and how long it waited in the scenario's
# virtual time when it timed out.
cat > "$tmp/offline.json" <<'JSON'
{ "runbook": "gates", "params": {"device": "sensor-1"},
  "probes": {"dev.errors": {"returns": 9}, "dev.online": {"returns": false}},
  "approvals": {"restart": "approved", "gate": "denied"} }
JSON
expect "a wait that times out" 0 "$rbk" run gates.rbk --scenario "$tmp/offline.json" --store "$tmp/offline.db"
contains "the timeout says how long" "$tmp/out" "timed out after 10m"
polls=$(grep -c 'dev.online("sensor-1") = false' "$tmp/out")
check "one line per poll" "$([ "$polls" = 11 ]; echo $?)" "$polls lines for the polls"
# Approvals by virtual time: the escalation gate asks after the 10-minute wait timed out.
sed 's/"gate": "denied"/"gate": {"timeline": {"0s": "denied", "10m": "approved"}}/' "$tmp/offline.json" |
  sed 's/"dev.online": {"returns": false}/"dev.online": {"returns": false}, "dev.status": {"returns": "ok"}/' > "$tmp/late.json"
expect "a gate decided by the time it asks" 0 "$rbk" run gates.rbk --scenario "$tmp/late.json" --store "$tmp/offline.db"
contains "approved at 10m" "$tmp/out" "gate gate: approved"
sed 's/"10m": "approved"/"1h": "approved"/' "$tmp/late.json" > "$tmp/early.json"
expect "the same gate before its moment" 0 "$rbk" run gates.rbk --scenario "$tmp/early.json" --store "$tmp/offline.db"
contains "denied before 1h" "$tmp/out" "gate gate: denied"
sed 's/"10m": "approved"/"soon": "approved"/' "$tmp/late.json" > "$tmp/badmoment.json"
expect "a gate's moment that is no duration" 2 "$rbk" run gates.rbk --scenario "$tmp/badmoment.json"
contains "the gate's moment named" "$tmp/err" 'the timeline for gate gate: "soon" is not a duration'

# Drawings of the compiled graph, with a run overlaid.
expect "render dot" 0 "$rbk" render gates.rbk --runbook gates
contains "dot names nodes" "$tmp/out" '"restart" [id="node_restart", label="Restart\n[approval: ops]", shape=box'
expect "render svg with trace" 0 "$rbk" render gates.rbk --runbook gates --format svg --trace "$tmp/t.jsonl" -o "$tmp/g.svg"
contains "svg written" "$tmp/g.svg" "<title>restart</title>"
contains "path highlighted" "$tmp/g.svg" "#1f6feb"
printf 'oops\n' > "$tmp/bad.jsonl"
expect "bad trace" 2 "$rbk" render gates.rbk --trace "$tmp/bad.jsonl"
contains "trace line named" "$tmp/err" "trace line 1 is not a JSON object"
expect "unknown format" 2 "$rbk" render gates.rbk --format png
# A trace of another version of the runbook would draw its edge numbers on the wrong graph.
sed -e 's/"Escalate?"/"Escalate now?"/' -e "s|\"../check/lib/dev.rbk\"|\"$src/tests/check/lib/dev.rbk\"|" \
  gates.rbk > "$tmp/gates_v2.rbk"
expect "trace of another program refused" 2 "$rbk" render "$tmp/gates_v2.rbk" --runbook gates --trace "$tmp/t.jsonl"
contains "program hashes named" "$tmp/err" "not of the one drawn"
expect "render mermaid with trace" 0 "$rbk" render gates.rbk --runbook gates --format mermaid --trace "$tmp/t.jsonl"
contains "mermaid flowchart" "$tmp/out" 'flowchart TD'
contains "mermaid gate hexagon" "$tmp/out" 'gate{{"Escalate?<br>[approval: oncall]'
contains "mermaid path styled" "$tmp/out" 'class start,check'
{
  echo 'runbook wide {'
  echo '  start -> d0'
  for i in $(seq 0 259); do echo "  decide d$i { when true -> d$((i + 1)) else -> done }"; done
  echo '  decide d260 { when true -> done else -> done }'
  echo '  end done as resolved'
  echo '}'
} > "$tmp/wide.rbk"
expect "mermaid past its limits still draws" 0 "$rbk" render "$tmp/wide.rbk" --format mermaid
contains "limit warned" "$tmp/err" "warning: the diagram has 523 edges; Mermaid draws at most 500"

# Bad input to run.
expect "live mode needs the stdlib natives" 2 "$rbk" run gates.rbk --param device=x
contains "a live run's refusal names what the runbook uses" "$tmp/err" "runbook 'gates' uses (net.http, notify)"
contains "it suggests a dry-run with a policy" "$tmp/err" "rbk run gates.rbk --dry-run --policy FILE"
contains "and a policy to start from" "$tmp/err" '{"capabilities": {"net.http": ["HOST:PORT"], "notify": ["HOST:PORT"]}}'
expect "a dry-run that reaches the network needs a policy" 2 "$rbk" run gates.rbk --dry-run --param device=x --store "$tmp/dry.db"
contains "the dry-run's refusal names the probes' capability" "$tmp/err" "its probes are real: runbook 'gates' needs net.http,"
check "nothing stored for a refused dry-run" "$(test ! -e "$tmp/dry.db"; echo $?)" "the store was opened"
expect "unknown parameter" 2 "$rbk" run gates.rbk --scenario "$tmp/restart.json" --param nope=1
contains "parameter named" "$tmp/err" "has no parameter 'nope'"
expect "ill-typed parameter" 2 "$rbk" run gates.rbk --scenario "$tmp/restart.json" --param limit=many
contains "conversion named" "$tmp/err" 'parameter limit: expected int, got "many"'
contains "accepted forms shown" "$tmp/err" "(limit takes a whole number (42))"
echo '{"runbook": "gates", "probes": {"dev.errors": {"returns": 9}}}' > "$tmp/noparams.json"
expect "a missing parameter is bad usage" 2 "$rbk" run gates.rbk --scenario "$tmp/noparams.json" --store "$tmp/missing.db"
contains "missing parameter named with its form" "$tmp/err" "--param device=…  (string: any text)"
check "nothing stored for a missing parameter" "$(test ! -e "$tmp/missing.db"; echo $?)" "the store was opened"
printf '{"runbook": "gates", "probez": {}}' > "$tmp/typo.json"
expect "unknown scenario key" 2 "$rbk" run gates.rbk --scenario "$tmp/typo.json"
contains "key named" "$tmp/err" 'unknown key "probez"'
printf 'runbook a {\n  start -> x\n  end x "X" as resolved\n}\nrunbook b {\n  start -> x\n  end x "X" as resolved\n}\n' > "$tmp/two.rbk"
expect "several runbooks need --runbook" 2 "$rbk" compile "$tmp/two.rbk"
contains "names them" "$tmp/err" "holds several runbooks (a, b): choose one with --runbook NAME"
expect "--runbook picks one" 0 "$rbk" compile "$tmp/two.rbk" --runbook b -o "$tmp/b.rbc"

# rbk test: passing, failing with a readable difference, coverage, JUnit.
mkdir -p "$tmp/suite/scenarios"
cp gates.rbk "$tmp/suite/"
mkdir -p "$tmp/suite/lib" && cp "$src/tests/check/lib/dev.rbk" "$tmp/suite/dev.rbk"
sed -i 's|import "../check/lib/dev.rbk"|import "dev.rbk"|' "$tmp/suite/gates.rbk"
cat > "$tmp/suite/scenarios/ok.json" <<'JSON'
{ "runbook": "gates", "params": {"device": "s"}, "probes": {"dev.errors": {"returns": 0}, "dev.status": {"returns": "ok"}},
  "approvals": {"gate": "approved"},
  "expect": {"outcome": "resolved", "path": ["check", "gate", "sub", "done"], "actions": []} }
JSON
cat > "$tmp/suite/scenarios/wrong.json" <<'JSON'
{ "runbook": "gates", "params": {"device": "s"}, "probes": {"dev.errors": {"returns": 0}},
  "approvals": {"gate": "denied"},
  "expect": {"outcome": "resolved", "path": ["check", "gate", "sub", "done"]} }
JSON
expect "a wrong expectation fails" 1 "$rbk" test "$tmp/suite" --edge-coverage --junit "$tmp/junit.xml"
contains "pass line" "$tmp/out" "PASS $tmp/suite/scenarios/ok.json"
contains "fail line" "$tmp/out" "FAIL $tmp/suite/scenarios/wrong.json"
contains "readable difference" "$tmp/out" "first difference at step 3: expected sub, got done"
contains "coverage lists missing edges" "$tmp/out" "missing: check -> restart [when]"
contains "coverage totals" "$tmp/out" "total: "
expect "--coverage is the older name" 1 "$rbk" test "$tmp/suite" --coverage
contains "edge coverage named" "$tmp/out" "edge coverage (edges taken by some scenario)"
contains "closing line" "$tmp/out" "1 passed, 1 failed"
contains "junit" "$tmp/junit.xml" '<testsuite name="rbk" tests="2" failures="1">'
rm "$tmp/suite/scenarios/wrong.json"
expect "all pass" 0 "$rbk" test "$tmp/suite"
# A coverage floor: one scenario does not take every edge of gates.rbk.
expect "coverage under the floor" 1 "$rbk" test "$tmp/suite" --fail-under 100
contains "floor named" "$tmp/out" "is under the required 100%"
contains "scenarios still pass" "$tmp/out" "1 passed, 0 failed"
expect "coverage floor met" 0 "$rbk" test "$tmp/suite" --fail-under 10
expect "floor out of range" 2 "$rbk" test "$tmp/suite" --fail-under 101
expect "no scenarios" 1 "$rbk" test "$tmp/suite/lib"
# An incomplete scenario fails its test whatever it expects, even a failed outcome.
cat > "$tmp/unanswered.json" <<'JSON'
{ "runbook": "gates", "file": "suite/gates.rbk", "params": {"device": "s"},
  "probes": {"dev.errors": {"returns": 0}}, "expect": {"outcome": "failed"} }
JSON
expect "an unanswered gate fails the test" 1 "$rbk" test "$tmp/unanswered.json"
contains "the test names the gate" "$tmp/out" "the scenario cannot run it: the scenario does not answer gate 'gate'"

# Typos in a scenario are found before it runs, each with the name it most likely meant.
cat > "$tmp/typos.json" <<'JSON'
{ "runbook": "gates", "params": {"device": "s", "devcie_id": "x"},
  "probes": {"dev.erors": {"returns": 0}, "dev.status": {"returns": "ok"}},
  "approvals": {"gaet": "approved"}, "actions": {"dev.restrat": {"error": "busy"}} }
JSON
expect "scenario typos refused before the run" 2 "$rbk" run gates.rbk --scenario "$tmp/typos.json" --store "$tmp/typos.db"
contains "unknown probe" "$tmp/err" 'probe "dev.erors" is not a probe it calls of runbook '"'gates'"'; did you mean "dev.errors"?'
contains "unknown gate" "$tmp/err" 'approval "gaet" is not a gate'
contains "gate suggestion" "$tmp/err" 'did you mean "gate"?'
contains "unknown action" "$tmp/err" 'did you mean "dev.restart"?'
contains "unknown parameter" "$tmp/err" 'parameter "devcie_id" is not a parameter'
check "nothing stored" "$(test ! -e "$tmp/typos.db"; echo $?)" "a refused scenario still opened the store"
echo '{"runbook": "gates", "probes": {"dev.errors": {"retuns": 0}}}' > "$tmp/form.json"
expect "unknown answer form" 2 "$rbk" run gates.rbk --scenario "$tmp/form.json"
contains "answer form suggestion" "$tmp/err" 'unknown key "retuns" in the answer for dev.errors; did you mean "returns"?'
echo '{"runbook": "gates", "aprovals": {}}' > "$tmp/top.json"
expect "unknown top-level key" 2 "$rbk" run gates.rbk --scenario "$tmp/top.json"
contains "top-level suggestion" "$tmp/err" 'did you mean "approvals"?'
echo '{"runbook": "gates", "expect": {"outcome": "resovled"}}' > "$tmp/outcome.json"
expect "unknown expected outcome" 2 "$rbk" run gates.rbk --scenario "$tmp/outcome.json"
contains "outcome suggestion" "$tmp/err" 'did you mean "resolved"?'
cp "$tmp/typos.json" "$tmp/suite/scenarios/typos.json"
expect "rbk test fails a scenario with typos" 1 "$rbk" test "$tmp/suite"
contains "rbk test names the typo" "$tmp/out" 'did you mean "dev.errors"?'

# A runbook in a file of another name ("file"), approvals per visit of a gate in a loop,
# and scenarios that share a base ("extends").
mkdir -p "$tmp/waves/flows" "$tmp/waves/scenarios"
cp "$src/tests/check/lib/dev.rbk" "$tmp/waves/flows/dev.rbk"
cat > "$tmp/waves/flows/rollout_flows.rbk" <<'RBK'
import "dev.rbk"

runbook waves "Waves" {
  param device: string
  start -> check
  decide check "More to roll out?" {
    when dev.online(device) -> wave
    else                    -> done
  }
  approve wave "Roll out the next wave?" {
    by "release-manager"
    approved -> check
    denied   -> stopped
  }
  end done    "Done"    as resolved
  end stopped "Stopped" as mitigated
}
RBK
cat > "$tmp/waves/scenarios/base.json" <<'JSON'
{ "runbook": "waves", "file": "../flows/rollout_flows.rbk", "params": {"device": "d"},
  "probes": {"dev.online": {"returns": true}}, "approvals": {"wave": "approved"} }
JSON
cat > "$tmp/waves/scenarios/deny_third.json" <<'JSON'
{ "extends": "base.json", "approvals": {"wave": ["approved", "approved", "denied"]},
  "expect": {"outcome": "mitigated", "path": ["check", "wave", "check", "wave", "check", "wave", "stopped"]} }
JSON
cat > "$tmp/waves/scenarios/all_done.json" <<'JSON'
{ "extends": "base.json", "probes": {"dev.online": {"sequence": [true, false]}},
  "expect": {"outcome": "resolved", "path": ["check", "wave", "check", "done"]} }
JSON
expect "file, extends and per-visit approvals" 0 "$rbk" test "$tmp/waves/scenarios/deny_third.json" "$tmp/waves/scenarios/all_done.json"
contains "deny the third wave" "$tmp/out" "PASS $tmp/waves/scenarios/deny_third.json"
contains "override a probe of the base" "$tmp/out" "PASS $tmp/waves/scenarios/all_done.json"
expect "a folder with its base" 0 "$rbk" test "$tmp/waves/scenarios"
contains "the base is not a test of its own" "$tmp/out" "BASE $tmp/waves/scenarios/base.json (extended by other scenarios; expects nothing)"
contains "its scenarios are" "$tmp/out" "2 passed, 0 failed"
expect "run a scenario with a base" 0 "$rbk" run "$tmp/waves/flows/rollout_flows.rbk" --scenario "$tmp/waves/scenarios/deny_third.json" --store "$tmp/waves.db"
contains "third visit denied" "$tmp/out" "gate wave: denied"
# The stored run as a scenario file: rbk test passes it, gate decisions per visit included.
waves_run=$("$rbk" runs --store "$tmp/waves.db" | sed -n 2p | awk '{print $1}')
expect "a run recorded as a scenario" 0 "$rbk" scenario record "$waves_run" --store "$tmp/waves.db" -o "$tmp/waves/scenarios/recorded.json"
contains "recorded per-visit decisions" "$tmp/waves/scenarios/recorded.json" '"approved",'
contains "recorded the outcome" "$tmp/waves/scenarios/recorded.json" '"outcome": "mitigated"'
sed -i 's|"runbook": "waves",|"runbook": "waves", "file": "../flows/rollout_flows.rbk",|' "$tmp/waves/scenarios/recorded.json"
expect "the recorded scenario passes" 0 "$rbk" test "$tmp/waves/scenarios/recorded.json"
expect "recording an unknown run" 2 "$rbk" scenario record r-none --store "$tmp/waves.db"
# Killed after its third journal write (the second check), then resumed: the replayed gate
# decisions advance the per-visit approvals, so the third visit is still the denied one.
RBK_STORE="$tmp/waves-crash.db" RBK_CRASH_AFTER=3 "$rbk" run "$tmp/waves/flows/rollout_flows.rbk" \
  --scenario "$tmp/waves/scenarios/deny_third.json" > "$tmp/out" 2>&1
check "killed mid-loop" "$([ $? = 137 ]; echo $?)" "the run was not killed"
crashed=$(RBK_STORE="$tmp/waves-crash.db" "$rbk" runs | sed -n 2p | awk '{print $1}')
RBK_STORE="$tmp/waves-crash.db" expect "resumed mid-loop" 0 "$rbk" resume "$crashed"
{ RBK_STORE="$tmp/waves-crash.db" "$rbk" runs "$crashed"; RBK_STORE="$tmp/waves-crash.db" trace_lines "$rbk" runs "$crashed"; } > "$tmp/show"
contains "resumed to the denied wave" "$tmp/show" "outcome    mitigated"
visits=$(grep -c '"event":"node_entered".*"node":"wave"' "$tmp/show")
check "the third visit was the denied one after the resume" "$([ "$visits" = 3 ]; echo $?)" "$visits visits of the gate"
# A wait whose condition must hold: true, then false (the hold starts again), then true
# for two minutes of virtual time.
cat > "$tmp/waves/flows/soak.rbk" <<'RBK'
import "dev.rbk"

runbook soak "Soak" {
  param device: string
  start -> settle
  wait settle "Online for two minutes" {
    until dev.online(device) holds 2m within 10m every 1m
    then    -> stable
    timeout -> unstable
  }
  end stable   "Stable"   as resolved
  end unstable "Unstable" as escalated
}
RBK
echo '{"runbook": "soak", "params": {"device": "d"}, "probes": {"dev.online": {"sequence": [true, false, true, true, true]}}}' > "$tmp/soak.json"
expect "a wait that must hold" 0 "$rbk" run "$tmp/waves/flows/soak.rbk" --scenario "$tmp/soak.json" --store "$tmp/soak.db"
contains "it held, after the hold started again" "$tmp/out" "outcome: resolved"
polls=$(grep -c 'dev.online("d") = ' "$tmp/out")
check "five polls: true, false, then true for two minutes" "$([ "$polls" = 5 ]; echo $?)" "$polls polls"
# Answers by virtual time: offline for the first three minutes, then online.
echo '{"runbook": "soak", "params": {"device": "d"}, "probes": {"dev.online": {"timeline": {"0s": false, "3m": true}}}}' > "$tmp/timeline.json"
expect "answers by virtual time" 0 "$rbk" run "$tmp/waves/flows/soak.rbk" --scenario "$tmp/timeline.json" --store "$tmp/soak.db"
polls=$(grep -c 'dev.online("d") = ' "$tmp/out")
check "six polls: three offline, then online for two minutes" "$([ "$polls" = 6 ]; echo $?)" "$polls polls"
echo '{"runbook": "soak", "probes": {"dev.online": {"timeline": {"soon": true}}}}' > "$tmp/badtime.json"
expect "a timeline moment that is no duration" 2 "$rbk" run "$tmp/waves/flows/soak.rbk" --scenario "$tmp/badtime.json"
contains "the moment named" "$tmp/err" '"soon" is not a duration since the start'
echo '{"runbook": "soak", "params": {"device": "d"}, "probes": {"dev.online": {"sequence": [true, false]}}}' > "$tmp/flap.json"
expect "a flapping condition never holds" 0 "$rbk" run "$tmp/waves/flows/soak.rbk" --scenario "$tmp/flap.json" --store "$tmp/soak.db"
contains "it timed out" "$tmp/out" "outcome: escalated"
echo '{"extends": "loop.json"}' > "$tmp/waves/scenarios/loop.json"
expect "an extends cycle" 2 "$rbk" run "$tmp/waves/flows/rollout_flows.rbk" --scenario "$tmp/waves/scenarios/loop.json"
contains "cycle named" "$tmp/err" "nests more than 16 files deep"
echo '{"extends": "nowhere.json"}' > "$tmp/waves/scenarios/missing.json"
expect "a missing base" 2 "$rbk" run "$tmp/waves/flows/rollout_flows.rbk" --scenario "$tmp/waves/scenarios/missing.json"
contains "missing base named" "$tmp/err" "cannot read the base scenario"


# A store written before run owners (no owner column, no schema version) is brought up to
# date when opened; its run left running shows as interrupted. A newer store is refused.
python3 - "$tmp/old.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""CREATE TABLE runs(id TEXT PRIMARY KEY, runbook TEXT, program_hash TEXT, program BLOB,
  mode TEXT, params TEXT, scenario_path TEXT, scenario TEXT, policy TEXT, options TEXT,
  started_by TEXT, status TEXT, outcome TEXT, error TEXT, paused_gate TEXT, paused_role TEXT,
  plan TEXT, plan_hash TEXT, created_at INTEGER, updated_at INTEGER)""")
db.execute("INSERT INTO runs(id, runbook, mode, status, started_by, created_at, updated_at) "
           "VALUES('r-old', 'gates', 'scenario', 'running', 'alice', 1, 1)")
db.commit()
PY
expect "an older store is read" 0 "$rbk" runs --store "$tmp/old.db"
contains "its unfinished run is interrupted" "$tmp/out" "interrupted"
python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute("PRAGMA user_version = 99"); db.commit()' "$tmp/old.db"
expect "a newer store is refused" 2 "$rbk" runs --store "$tmp/old.db"
contains "newer named" "$tmp/err" "was written by a newer rbk (schema 99"


# A foreach over ten devices in waves of 2, 5 and all, approved between waves: three
# broken devices (d3, d5, d6) cross `abort when failed > 2` at the sixth child exactly.
cat > "$tmp/fleet.json" <<'JSON'
{ "runbook": "fleet", "params": {"devices": ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10"]},
  "probes": {"dev.status": [{"args": ["d3"], "returns": "broken"}, {"args": ["d5"], "returns": "broken"},
                            {"args": ["d6"], "returns": "broken"}, {"args": ["d8"], "returns": "broken"},
                            {"returns": "ok"}]},
  "approvals": {"each": "approved"},
  "expect": {"outcome": "escalated", "path": ["each", "stopped"]} }
JSON
sed -i "s|\"runbook\": \"fleet\",|\"runbook\": \"fleet\", \"file\": \"$src/tests/vm/fleet.rbk\",|" "$tmp/fleet.json"
expect "a fleet aborts" 0 "$rbk" run fleet.rbk --scenario "$tmp/fleet.json" --store "$tmp/fleet.db"
contains "wave sizes" "$tmp/out" "wave 3 of 3: 5 items"
contains "aborted at the sixth child" "$tmp/out" "6 of 10 children ran, then it aborted: fine 3, broken 3"
contains "the aborted edge" "$tmp/out" '→ stopped  "Too many broken"'
contains "the wave approval shows the wave" "$tmp/out" "plan: each: wave 2 of 3, items 3–5 (3)"
contains "the plan before the children" "$tmp/out" "plan: 10 items (list "
contains "the plan's waves and worst case" "$tmp/out" "waves of 2, 3, 5; each child may do no action; worst case 3 children before the abort fires"
expect "check explains the foreach" 0 "$rbk" check --explain fleet.rbk
contains "the explanation" "$tmp/out" "fleet.rbk:10: foreach each of runbook fleet: runs device for each item; waves 2, 5, all"
contains "what each child may do" "$tmp/out" "each child may do dev.restart ×1; no abort rule: every item runs"
expect "the fleet scenario passes" 0 "$rbk" test "$tmp/fleet.json"
fleet_run=$("$rbk" runs --store "$tmp/fleet.db" | sed -n 2p | awk '{print $1}')
"$rbk" runs "$fleet_run" --store "$tmp/fleet.db" --json > "$tmp/fleet-run.json"
children=$(python3 -c 'import json, sys; print(sum(len(e["path"]) for e in json.load(open(sys.argv[1]))["trace"] if e["event"] == "children"))' "$tmp/fleet-run.json")
check "every child that ran is traced" "$([ "$children" = 6 ]; echo $?)" "$children children in the trace"
expect "one child, by its id" 0 "$rbk" runs "$fleet_run" --store "$tmp/fleet.db" --child d3
contains "its outcome and end" "$tmp/out" "child 2 (d3) of run $fleet_run: runbook device, outcome failed, ended at broken"
contains "its path" "$tmp/out" "look -> broken  [else]"
expect "a child that never started" 2 "$rbk" runs "$fleet_run" --store "$tmp/fleet.db" --child d9
contains "how many there are" "$tmp/err" "has no child d9 (6 children"
# The second wave denied: the node aborts before it. One broken device: every child runs.
sed 's/"each": "approved"/"each": "denied"/' "$tmp/fleet.json" > "$tmp/fleet-denied.json"
expect "a wave denied" 0 "$rbk" run fleet.rbk --scenario "$tmp/fleet-denied.json" --store "$tmp/fleet.db"
contains "only the first wave ran" "$tmp/out" "2 of 10 children ran, then it aborted: fine 2, broken 0"
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); s["probes"]["dev.status"] = [{"args": ["d8"], "returns": "broken"}, {"returns": "ok"}]; s["expect"] = {"outcome": "mitigated", "path": ["each", "report", "some_broken"]}; json.dump(s, open(sys.argv[2], "w"))' "$tmp/fleet.json" "$tmp/fleet-one.json"
expect "every child runs" 0 "$rbk" test "$tmp/fleet-one.json"
expect "every child runs, shown" 0 "$rbk" run fleet.rbk --scenario "$tmp/fleet-one.json" --store "$tmp/fleet.db"
contains "ten children" "$tmp/out" "10 of 10 children ran: fine 9, broken 1"

# Children with gates: each wave is approved once, for all of its children; the second
# wave denied stops the fleet after the first half.
cat > "$tmp/restart-fleet.json" <<'JSON'
{ "runbook": "fleet_restart", "params": {"devices": ["d1", "d2", "d3", "d4"]},
  "approvals": {"restart_each": ["approved", "denied"]},
  "expect": {"outcome": "mitigated", "actions": ["dev.restart", "dev.restart"]} }
JSON
sed -i "s|\"runbook\": \"fleet_restart\",|\"runbook\": \"fleet_restart\", \"file\": \"$src/tests/vm/fleet.rbk\",|" "$tmp/restart-fleet.json"
expect "a wave's approval covers its children's gates" 0 "$rbk" test "$tmp/restart-fleet.json"
expect "the restart fleet, shown" 0 "$rbk" run fleet.rbk --runbook fleet_restart --scenario "$tmp/restart-fleet.json" --store "$tmp/fleet.db"
asked=$(grep -c 'gate restart_each asks role "ops"' "$tmp/out")
check "one approval per wave, none per device" "$([ "$asked" = 2 ]; echo $?)" "$asked approvals asked"
contains "half the fleet" "$tmp/out" "2 of 4 children ran, then it aborted"

# Fleet snapshots: the list from a registry export (a JSON array, or JSON Lines), each
# child's probes from its item's record (per_item, with units), counts by end node.
mkdir -p "$tmp/snap"
cat > "$tmp/snap/fleet.jsonl" <<'JSONL'
{"id": "a", "region": "eu", "firmware": "1", "model": "m", "last_seen_age_min": 2, "last_connect_age_min": null, "gateway": {"online": true, "oom": false}, "ot_reachable": true, "cert_expires_in_days": 10, "power": "confirmed"}
{"id": "b", "region": "eu", "firmware": "1", "model": "m", "last_seen_age_min": 45.5, "last_connect_age_min": 3, "gateway": {"online": true, "oom": false}, "ot_reachable": true, "cert_expires_in_days": 10, "power": "confirmed"}

{"id": "c", "region": "us", "firmware": "2", "model": "m", "last_seen_age_min": 90, "last_connect_age_min": null, "gateway": {"online": true, "oom": false}, "ot_reachable": true, "cert_expires_in_days": 0, "power": "confirmed"}
JSONL
sed -e 's|"../../../shared/peers/fleet1.json"|"fleet.jsonl"|' \
    -e "s|\"runbook\": \"fleet_triage\",|\"runbook\": \"fleet_triage\", \"file\": \"$src/bench/fleet/fleet_triage.rbk\",|" \
    -e 's|"expect": {"outcome": "resolved"}|"expect": {"outcome": "resolved", "ends": {"flap": 1, "protocol": 1, "cert_renew": 1}, "outcomes": {"resolved": 1, "escalated": 2}}|' \
    "$src/bench/fleet/fleet1.scenario.json" > "$tmp/snap/triage.json"
expect "a snapshot triaged, counted by end" 0 "$rbk" test "$tmp/snap/triage.json"
expect "a snapshot run with a summary" 0 "$rbk" run "$src/bench/fleet/fleet_triage.rbk" --scenario "$tmp/snap/triage.json" --store "$tmp/snap.db" --summary "$tmp/snap/summary.json"
lacks "no progress line when stdout is not a terminal" "$tmp/out" "triage: wave 1 of 1"
# On a terminal (a pseudo-terminal here), the progress of the fan-out is drawn on a line of
# its own and erased before the next output.
script -qec "'$rbk' run '$src/bench/fleet/fleet_triage.rbk' --scenario '$tmp/snap/triage.json' --store '$tmp/snap.db'" /dev/null > "$tmp/pty.out" 2>&1
contains "the progress line on a terminal" "$tmp/pty.out" "triage: wave 1 of 1 · 1 of 3 done · 0 failed"
check "the line is erased before the next output" "$(grep -q $'\r\033\[K' "$tmp/pty.out"; echo $?)" "no erase sequence"
contains "the cohort table's header" "$tmp/out" "d.region  d.firmware  flap  protocol  cert_renew"
contains "a cohort's row" "$tmp/out" "eu        1              1         1           0"
contains "summary: ends" "$tmp/snap/summary.json" '"cert_renew": 1'
contains "summary: a cohort by column" "$tmp/snap/summary.json" '"d.region": "us"'
contains "summary: the wave" "$tmp/snap/summary.json" '"finished": 3'
sed 's|"flap": 1,|"flap": 2,|' "$tmp/snap/triage.json" > "$tmp/snap/wrong.json"
expect "a wrong count" 1 "$rbk" test "$tmp/snap/wrong.json"
contains "the count named" "$tmp/out" "ends.flap: expected 2 children, got 1"
sed 's|"fleet.jsonl"|"nowhere.json"|' "$tmp/snap/triage.json" > "$tmp/snap/missing.json"
expect "a missing snapshot" 2 "$rbk" run "$src/bench/fleet/fleet_triage.rbk" --scenario "$tmp/snap/missing.json"
contains "the file named" "$tmp/err" "cannot read the fleet snapshot $tmp/snap/nowhere.json"
printf '{"id": "a"}\n{"id": \n' > "$tmp/snap/broken.jsonl"
sed 's|"fleet.jsonl"|"broken.jsonl"|' "$tmp/snap/triage.json" > "$tmp/snap/broken.json"
expect "a malformed snapshot" 2 "$rbk" run "$src/bench/fleet/fleet_triage.rbk" --scenario "$tmp/snap/broken.json"
contains "the line named" "$tmp/err" "broken.jsonl: line 2:"
sed 's|"last_seen_age_min": 90|"last_seen_age": 90|' "$tmp/snap/fleet.jsonl" > "$tmp/snap/nofield.jsonl"
sed 's|"fleet.jsonl"|"nofield.jsonl"|' "$tmp/snap/triage.json" > "$tmp/snap/nofield.json"
expect "an item without the mapped field" 1 "$rbk" run "$src/bench/fleet/fleet_triage.rbk" --scenario "$tmp/snap/nofield.json" --store "$tmp/snap.db"
contains "item and field named" "$tmp/out" "item 2 (c) has no field 'last_seen_age_min' (per_item of registry.last_seen_age)"
sed 's|"last_seen_age_min": 2,|"last_seen_age_min": "soon",|' "$tmp/snap/fleet.jsonl" > "$tmp/snap/badtype.jsonl"
sed 's|"fleet.jsonl"|"badtype.jsonl"|' "$tmp/snap/triage.json" > "$tmp/snap/badtype.json"
expect "a field of the wrong type" 1 "$rbk" run "$src/bench/fleet/fleet_triage.rbk" --scenario "$tmp/snap/badtype.json" --store "$tmp/snap.db"
contains "the item and field named" "$tmp/out" "item 0 (a), field 'last_seen_age_min'"
sed 's|"unit": "m"}|"unit": "min"}|' "$tmp/snap/triage.json" > "$tmp/snap/unit.json"
expect "an unknown unit" 2 "$rbk" run "$src/bench/fleet/fleet_triage.rbk" --scenario "$tmp/snap/unit.json"
contains "the units listed" "$tmp/err" "is one of ms, s, m, h, d or %"
printf '[]' > "$tmp/snap/empty.json"
sed -e 's|"fleet.jsonl"|"empty.json"|' -e 's|"ends": {[^}]*}, "outcomes": {[^}]*}|"path": ["triage", "done"]|' "$tmp/snap/triage.json" > "$tmp/snap/none.json"
expect "an empty list takes then with no child" 0 "$rbk" test "$tmp/snap/none.json"

# A command on the runner (exec.run): performed in a live run where the policy lists the
# program, its result read by the next node; only recorded in a dry-run (a placeholder);
# refused where the policy does not list it.
printf '{"capabilities": {"exec": ["/bin/echo"]}}' > "$tmp/exec.json"
expect "a command runs live" 0 "$rbk" run command.rbk --policy "$tmp/exec.json" --as alice
contains "its output is a value" "$tmp/out" 'did exec.run(["/bin/echo", "restarted", "edge-agent"], 10s, {LANG: "C"}) = {exit_code: 0, stdout: "restarted edge-agent\n", stderr: "", truncated: false}'
contains "read by the next node" "$tmp/out" "outcome: resolved"
expect "a command's dry-run" 0 "$rbk" run command.rbk --dry-run --policy "$tmp/exec.json" --as alice
contains "recorded, not run" "$tmp/out" 'would do exec.run(["/bin/echo", "restarted", "edge-agent"], 10s, {LANG: "C"}) = {exit_code: 0, stdout: "dry-run-placeholder", stderr: "dry-run-placeholder", truncated: false}  (a placeholder: not performed)'
printf '{"capabilities": {"exec": ["/bin/true"]}}' > "$tmp/exec-other.json"
expect "a program the policy does not list" 1 "$rbk" run command.rbk --policy "$tmp/exec-other.json" --as alice
contains "refusal names program and policy" "$tmp/out" "outcome: failed: exec.run: $tmp/exec-other.json does not allow exec of /bin/echo"

# Signals: a run waits in a wait node (until signal "device_connected") for rbk signal,
# sent from another process with a value the next node reads; the sender is audited; a
# bad name, a finished run and a scenario run are refused.
"$rbk" run signals.rbk --dry-run --param device=sensor-9 > "$tmp/signal-run.out" 2>&1 &
signal_pid=$!
# running_run: the id of the run executing now (polled, bounded: 10 s), or nothing.
running_run() {
  local id=""
  for _ in $(seq 1 100); do
    id=$("$rbk" runs --json --status running | grep -o '"id": "[^"]*"' | head -1 | cut -d'"' -f4)
    [ -n "$id" ] && break
    sleep 0.1
  done
  echo "$id"
}
waiting=$(running_run)
check "the run waits" "$([ -n "$waiting" ]; echo $?)" "no running run"
expect "a bad signal name" 2 "$rbk" signal "$waiting" "device connected"
contains "the name's rule" "$tmp/err" 'is not a signal name'
expect "a value that is not JSON" 2 "$rbk" signal "$waiting" device_connected --value '{rssi: -70'
contains "the value refused" "$tmp/err" 'the value is not valid JSON'
expect "the signal sent" 0 "$rbk" signal "$waiting" device_connected --value '{"rssi": -70}' --as gw-hook
contains "sent, by whom" "$tmp/out" "signal device_connected sent to run $waiting by gw-hook"
wait "$signal_pid"
check "the waiting run ended" "$?" "exit $?"
contains "the signal and its value in the trace" "$tmp/signal-run.out" 'signal device_connected after'
contains "read by the next node" "$tmp/signal-run.out" "outcome: resolved"
expect "the audit log" 0 "$rbk" audit
contains "the sender audited" "$tmp/out" "gw-hook"
expect "a finished run" 2 "$rbk" signal "$waiting" device_connected
contains "nothing waits" "$tmp/err" "has finished (ended): nothing waits for a signal"
printf '{"runbook": "reconnect", "signals": {"device_connected": null}}' > "$tmp/never.json"
expect "a scenario run times out" 0 "$rbk" run signals.rbk --scenario "$tmp/never.json"
contains "timed out in virtual time" "$tmp/out" "timed out after 30m"
contains "the timeout edge" "$tmp/out" "outcome: escalated"
printf '{"runbook": "reconnect"}' > "$tmp/unsaid.json"
expect "a scenario that does not say" 1 "$rbk" run signals.rbk --scenario "$tmp/unsaid.json"
contains "names the signal and the fix" "$tmp/out" 'does not say whether signal device_connected arrives: add "signals": {"device_connected": {"after": "2m"}} (or null: it never does)'

# A run killed while it waits for a signal: resumed, it waits on, and takes the signal.
"$rbk" run signals.rbk --dry-run > "$tmp/killed.out" 2>&1 &
killed_pid=$!
killed=$(running_run)
kill -9 "$killed_pid"; wait "$killed_pid" 2>/dev/null
"$rbk" resume "$killed" > "$tmp/resumed.out" 2>&1 &
resumed_pid=$!
sleep 1
expect "signalled after the resume" 0 "$rbk" signal "$killed" device_connected --value '{"rssi": -50}'
wait "$resumed_pid"
check "the resumed run ended" "$?" "exit $?"
contains "the resumed run took the signal" "$tmp/resumed.out" "outcome: resolved"

summary
