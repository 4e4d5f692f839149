// Runs tasks spawned at the prompt between keystrokes, keeping the line being typed intact.
import CoLang
import CReadline
import FoundationEssentials
import Glibc

/// The scheduler keeps running while the REPL waits for input. The line editor polls
/// stdin with `pollTimeoutMilliseconds()` and calls `runBetweenKeystrokes()` after every key and
/// timeout; output that tasks print then appears above the prompt.
final class BackgroundWork {
    weak var interpreter: Interpreter?
    /// `:auto off` holds background tasks until `:step` or `:run`.
    var auto = true
    /// Seconds until the scheduler next has something to do; `nil` when nothing is scheduled.
    private var nextWait: Double?
    /// True while background tasks run at the prompt (their output must not garble it).
    private var runningAtPrompt = false
    private var promptHidden = false

    /// How long `poll` may wait for a key; -1 blocks until one comes.
    func pollTimeoutMilliseconds() -> Int32 {
        guard auto, let wait = nextWait else { return -1 }
        return Int32(min((wait * 1000).rounded(.up), 60_000))
    }

    /// After an input ran: tasks it spawned or woke should get their turn at once.
    func inputFinished() {
        nextWait = interpreter?.hasBackgroundWork == true ? 0 : nil
    }

    /// Gives ready tasks a time slice; Ctrl-C meanwhile pauses the running task.
    func runBetweenKeystrokes() {
        guard auto, let interpreter, interpreter.hasBackgroundWork else {
            nextWait = nil
            return
        }
        runningAtPrompt = true
        nextWait = Signals.running(.background) { interpreter.runBackground() }
        runningAtPrompt = false
        interpreter.flush()
        if promptHidden {
            promptHidden = false
            rl_forced_update_display()
        }
    }

    /// Called before any output: at the prompt, clears the prompt line once so the output lands
    /// above it; `runBetweenKeystrokes` redraws prompt and typed text afterwards.
    func prepareForOutput() {
        guard runningAtPrompt, !promptHidden else { return }
        promptHidden = true
        rl_clear_visible_line()
    }
}
