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
    var auto = true {
        didSet { interpreter?.holdsBackgroundTasks = !auto }
    }
    /// A background task's longest turn at the prompt before the prompt gets its own, in seconds.
    static let promptTurn = 0.02
    /// After this many seconds of a task running without yielding, the REPL says it hogs the CPU.
    static let hogNotice = 1.0
    /// The task that runs without yielding, and since when (monotonic nanoseconds).
    private var hog: (name: String, since: UInt64, told: Bool)?
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

    /// Gives ready tasks a time slice; Ctrl-C meanwhile pauses the running task. Returns true
    /// when a Ctrl-C was used up that way (the line being typed is then kept).
    @discardableResult
    func runBetweenKeystrokes() -> Bool {
        guard auto, let interpreter, interpreter.hasBackgroundWork else {
            nextWait = nil
            return false
        }
        runningAtPrompt = true
        nextWait = Signals.running(.background) { interpreter.runBackground() }
        let interrupted = Signals.takeBackgroundInterrupt()
        if interrupted {
            let paused = interpreter.pausedTaskNames
            if !paused.isEmpty {
                report("paused \(paused.joined(separator: ", ")) (Ctrl-C); :run or :step resumes, :tasks lists")
            }
            hog = nil
        } else {
            noticeHog(interpreter.hoggingTaskName)
        }
        runningAtPrompt = false
        interpreter.flush()
        if promptHidden {
            promptHidden = false
            rl_forced_update_display()
        }
        return interrupted
    }

    /// Says once, after `hogNotice` seconds, that a task runs without yielding (the prompt still
    /// works: its turns are cut short, but under cooperative scheduling other tasks starve).
    private func noticeHog(_ name: String?) {
        guard let name else { hog = nil; return }
        let now = Self.monotonicNanos()
        guard let current = hog, current.name == name else {
            hog = (name, now, false)
            return
        }
        if !current.told && now &- current.since >= UInt64(Self.hogNotice * 1e9) {
            hog?.told = true
            report("\(name) has run \(Int(Self.hogNotice)) s without yielding; other tasks wait. Ctrl-C pauses it.")
        }
    }

    private static func monotonicNanos() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// A note from the REPL above the prompt (stderr, where the REPL's errors go).
    private func report(_ message: String) {
        prepareForOutput()
        Output.writeStderr("(\(message))\n")
    }

    /// Called before any output: at the prompt, clears the prompt line once so the output lands
    /// above it; `runBetweenKeystrokes` redraws prompt and typed text afterwards.
    func prepareForOutput() {
        guard runningAtPrompt, !promptHidden else { return }
        promptHidden = true
        rl_clear_visible_line()
    }
}
