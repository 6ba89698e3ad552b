// A run's output as a person reads it, kept in the store line by line while it is shown:
// `rbk runs RUN` shows what any process that executed the run printed, and `rbk runs RUN
// --follow` watches a run another process executes (the one `rbk approve` starts).
#pragma once

#include <ostream>
#include <streambuf>
#include <string>

#include "run/run_store.hpp"
#include "vm/machine.hpp"

namespace rbk {

class OutputLog : public std::ostream {
 public:
  // Lines written go to STORE as output of RUN and, unless ECHO is null, to ECHO too.
  OutputLog(RunStore& store, std::string run, std::ostream* echo);
  ~OutputLog() override;  // keeps a last line without its newline
  OutputLog(const OutputLog&) = delete;
  OutputLog& operator=(const OutputLog&) = delete;

 private:
  class Buffer : public std::streambuf {
   public:
    Buffer(RunStore& store, std::string run, std::ostream* echo)
        : store_(store), run_(std::move(run)), echo_(echo) {}
    void finish();

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

   private:
    RunStore& store_;
    std::string run_;
    std::ostream* echo_;
    std::string line_;
  };
  Buffer buf_;
};

// How a run ended, as its last line of output: "outcome: resolved (5 nodes, 1 action)",
// "outcome: failed: …", "paused at gate …".
std::string summary_line(const RunResult& r);

}  // namespace rbk
