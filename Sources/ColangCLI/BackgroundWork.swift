// Runs tasks spawned at the prompt between keystrokes, keeping the line being typed intact.
import CoLang
import CReadline
import FoundationEssentials
import Glibc

/// The scheduler keeps running while the REPL waits for input (docs/ARCHITECTURE.md, "Fibers and
/// the scheduler"). The line editor waits for a key with `waitForInput`, in the scheduler's own
/// poll (so the wait also ends when a sleeping task is due), and calls `runBetweenKeystrokes()`
/// after every key and timeout; output that tasks print then appears above the prompt.
final class BackgroundWork {
    weak var interpreter: Interpreter?
    /// `:auto off` holds background tasks until `:step` or `:run`.
    var auto = true
    /// Seconds until the scheduler next has something to do; `nil` when nothing is scheduled.
    private var nextWait: Double?
    /// True while background tasks run at the prompt (their output must not garble it).
    private var runningAtPrompt = false
    private var promptHidden = false

    /// Waits for one of `descriptors` to be readable or, while tasks run at the prompt
    /// (`:auto on`), for the scheduler to have something to do; returns each one's `revents`.
    func waitForInput(on descriptors: [Int32]) -> [Int16] {
        guard let interpreter else { return descriptors.map { _ in Int16(POLLNVAL) } }
        return interpreter.waitForInput(
            on: descriptors, includeTimers: auto && nextWait != nil,
            maxWait: auto ? nextWait.map { min($0, BackgroundWork.longestWait) } : nil)
    }
    /// The longest wait between two turns of the background loop, in seconds.
    static let longestWait = 60.0

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
