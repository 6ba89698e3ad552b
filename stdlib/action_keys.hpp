// The idempotency key of the action this thread is performing: every HTTP request an
// action makes carries it as `Idempotency-Key`, the same on every attempt — the retries of
// one request, and the action sent again by a process that resumed the run after the one
// performing it died mid-way. A service that honours the header (Stripe's convention;
// tools/fleet-sim does) performs the action once however often it is asked.
//
// Set by the journaling host (run/journal.cpp) around each action of a live run; empty
// outside actions. Per thread: a fleet's children perform their actions on threads of
// their own.
#pragma once

#include <string>

namespace rbk {

void set_action_key(std::string key);  // "" when no action is being performed
const std::string& action_key();

}  // namespace rbk
