// rbk scenario record RUN: a stored run as a scenario file, ready for rbk test
// (run/scenario_record.hpp).
#include <iostream>

#include "cli/commands.hpp"
#include "cli/file_output.hpp"
#include "run/run_store.hpp"
#include "run/scenario_record.hpp"
#include "vm/rbc.hpp"

namespace rbk::cli {

int run_scenario_record(const ScenarioRecordOptions& opts) {
  std::string json;
  try {
    std::unique_ptr<RunStore> store = RunStore::open(opts.store);
    std::optional<RunRecord> rec = store->get(opts.run);
    if (!rec) {
      std::cerr << "rbk scenario record: no run " << opts.run << " in " << store->path() << "\n";
      return kUsage;
    }
    if (rec->status == RunState::Running || rec->status == RunState::Paused)
      std::cerr << "rbk scenario record: warning: run " << opts.run << " is "
                << run_state_name(rec->status)
                << ": the scenario has what it did so far, and no outcome to expect\n";
    Program program = decode_rbc(rec->program);
    json = recorded_scenario(*rec, program, store->trace(opts.run)).dump(2) + "\n";
  } catch (const StoreError& e) {
    std::cerr << "rbk scenario record: " << e.what() << "\n";
    return kUsage;
  } catch (const RbcError& e) {
    std::cerr << "rbk scenario record: run " << opts.run << ": " << e.what() << "\n";
    return kFailed;
  }
  return write_output("scenario record", opts.output, json) ? kOk : kUsage;
}

}  // namespace rbk::cli
