// Which process executes a run, and whether it still does. A process that executes a run
// (rbk run, approve, resume, the detached process rbk approve starts) owns it: the record
// names it as "HOST/PID/START" (START: when the process started, so a reused PID is not
// mistaken for it). A run still marked running whose owner is gone — killed, or the
// machine restarted — is shown as interrupted, and `rbk resume` continues it.
#pragma once

#include <string>
#include <vector>

#include "run/run_store.hpp"

namespace rbk {

// This process, as a run's owner.
std::string this_process();

// Marks what this process is, in the owner it writes from now on ("HOST/PID/START#serve"),
// so a server restarted after a crash knows which interrupted runs it was executing (and
// leaves alone a run a person stopped at a terminal). Set once, before any run starts.
void set_process_label(const std::string& label);
// Whether OWNER was written by a process labelled LABEL.
bool owner_labelled(const std::string& owner, const std::string& label);

// Whether OWNER is certainly gone: a process of this host that no longer runs. A process
// of another host is never declared gone from here.
bool owner_gone(const std::string& owner);

// The PID of OWNER when it is a process of this host (0 when not).
int local_pid(const std::string& owner);

// R's state as people see it: a running run whose owner is gone, or whose lease ran out,
// is interrupted.
RunState current_state(const RunRecord& r);

// The runs FILTER lets through, by their current state (so `--status interrupted` and
// `--status running` tell the two apart), newest first.
std::vector<RunRecord> find_runs(RunStore& store, RunFilter filter, size_t limit = 100);

}  // namespace rbk
