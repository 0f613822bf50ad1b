// Crash points for fault-injection tests (docs/reliability.md): named places along the run
// protocol and the bundle write where a test build kills itself with SIGKILL, so a test can
// prove that a crash at any of them loses nothing and applies nothing twice.
//
// Compiled in only with the CMake option MIGRATE_FAULTS, which scripts/build turns on for
// development and CI builds. Without it (any Release build) CrashPoint is an empty inline
// function: no environment variable is read and no code is left behind.
//
// In a faults build, MIGRATE_CRASH_AT=NAME[:N] kills the process the Nth time (default the
// first) it reaches the point NAME. The points: locked, before-step, after-statement,
// before-commit, after-commit, after-started, after-progress, before-snapshot,
// before-release, bundle-written, bundle-published. MIGRATE_STOP_AT=NAME[:N] stops the process
// there instead (SIGSTOP, as a frozen VM or a debugger would): a test continues it with SIGCONT.
#ifndef MIGRATE_FAULT_H_
#define MIGRATE_FAULT_H_

namespace migrate {

#ifdef MIGRATE_FAULTS
void CrashPoint(const char* name);
#else
inline void CrashPoint(const char*) {}
#endif

}  // namespace migrate

#endif  // MIGRATE_FAULT_H_
