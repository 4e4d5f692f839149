// PLACEHOLDER: where the REPL will run the scheduler's background tasks between keystrokes.

/// Section 10: tasks spawned at the prompt keep running while the user types. The library has no
/// API for that yet (it would need e.g. `Interpreter.runReadyTasks(until:) -> nextWakeUp` and a way
/// to pause them, for `:auto off`). When it has, `pollTimeoutMilliseconds` returns the time until the
/// next sleeper wakes (0 while tasks are ready) and `runBetweenKeystrokes` runs them, wrapping any
/// output in `rl_clear_visible_line()` … `rl_forced_update_display()` so the typed line stays intact.
struct BackgroundWork {
    /// How long `poll` may wait for a key; -1 blocks until one comes (nothing runs in the background).
    func pollTimeoutMilliseconds() -> Int32 { -1 }

    /// Runs whatever the scheduler has ready; called after every key and every poll timeout.
    func runBetweenKeystrokes() {}
}
