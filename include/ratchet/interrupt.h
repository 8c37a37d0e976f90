// Stopping a run on request (Ctrl-C, SIGTERM): the statement running on the
// server is cancelled, and the run stops where it stands, recording it.
#ifndef RATCHET_INTERRUPT_H_
#define RATCHET_INTERRUPT_H_

namespace ratchet {

// Asks the run to stop: the statements ratchet's connections are running
// are cancelled (PostgreSQL: a cancel request; SQLite: sqlite3_interrupt),
// and the item loop starts no further item. The item that was cancelled is
// rolled back as any failed item is; what committed stays. Async-signal-
// safe: a program calls it from its SIGINT and SIGTERM handlers, with the
// signal's number (or any non-zero number of its own).
void RequestInterrupt(int signal_number);

// The number given to RequestInterrupt, or 0 when no stop was requested.
int InterruptRequested();

// "SIGINT (Ctrl-C)", "SIGTERM", ... for a signal number; "a stop request"
// for any other.
const char* SignalName(int signal_number);

// Forgets a request, for a program that goes on after a stopped run.
void ClearInterrupt();

}  // namespace ratchet

#endif  // RATCHET_INTERRUPT_H_
