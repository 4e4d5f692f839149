// SIGINT and SIGPIPE: Ctrl-C asks the VM to stop (and wakes the REPL's poll); SIGPIPE is ignored.
import CoLang
import FoundationEssentials
import Glibc

public enum Signals {
    /// What Ctrl-C should stop right now.
    enum RunMode: Int32 {
        /// Nothing runs (the REPL waits for keys): Ctrl-C only wakes the line editor.
        case idle = 0
        /// A script or a REPL input runs: Ctrl-C sets the interrupt flag.
        case foreground = 1
        /// Background tasks run between keystrokes: Ctrl-C pauses them; the typed line is kept.
        case background = 2
    }

    /// State the handler reads, in raw memory so the handler does no Swift runtime work:
    /// [0] the `RunMode`, [1] 1 in script mode, [2] the wake pipe's write end or -1,
    /// [3] 1 to end the terminal's echoed `^C` with a newline (REPL on a terminal),
    /// [4] 1 once Ctrl-C came while background tasks ran at the prompt.
    private static let slots: UnsafeMutablePointer<Int32> = {
        let slots = UnsafeMutablePointer<Int32>.allocate(capacity: 5)
        slots.initialize(repeating: 0, count: 5)
        slots[2] = -1
        return slots
    }()
    private static let modeSlot = 0, scriptSlot = 1, wakeSlot = 2, newlineSlot = 3, backgroundSlot = 4

    /// True (once) when Ctrl-C came while background tasks ran at the prompt: it was meant for
    /// them (they are paused), not for the line being typed.
    static func takeBackgroundInterrupt() -> Bool {
        defer { slots[backgroundSlot] = 0 }
        return slots[backgroundSlot] != 0
    }

    /// Starts from a clean slate: a parent (e.g. Foundation's `Process`) may hand us blocked
    /// signals, which would make Ctrl-C and `kill` do nothing. SIGPIPE is ignored so that a write to
    /// a closed pipe returns EPIPE (handled by `Output`) instead of killing us. The soft limit
    /// on open descriptors is raised to the hard one, so a server can hold thousands of
    /// connections (the default soft limit is often 1,024).
    public static func prepareProcess() {
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        signal(SIGPIPE, SIG_IGN)
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    /// Script mode: Ctrl-C stops the program at the VM's next check (exit 130); a second Ctrl-C
    /// before the VM notices exits at once. System calls are not restarted, so an `input()`
    /// waiting for a line returns and the VM stops there.
    static func installForScript() {
        slots[scriptSlot] = 1
        slots[modeSlot] = RunMode.foreground.rawValue
        install(restartSystemCalls: false)
    }

    /// REPL mode: Ctrl-C writes to `wakeDescriptor`'s pipe (waking `poll`) and, while code runs,
    /// sets the interrupt flag. System calls are not restarted, so a blocked `input()` returns.
    static func installForREPL(wakeDescriptor: Int32) {
        slots[scriptSlot] = 0
        slots[wakeSlot] = wakeDescriptor
        slots[newlineSlot] = isatty(STDOUT_FILENO) == 1 ? 1 : 0
        install(restartSystemCalls: false)
    }

    /// Says what runs from now on; the interrupt flag starts clear either way.
    static func setMode(_ mode: RunMode) {
        Interpreter.interruptFlag.pointee = 0
        slots[modeSlot] = mode.rawValue
    }

    /// Runs `body` in `mode`, then goes back to idle.
    static func running<T>(_ mode: RunMode, _ body: () -> T) -> T {
        setMode(mode)
        defer { setMode(.idle) }
        return body()
    }

    private static func install(restartSystemCalls: Bool) {
        // Initialise the lazy statics the handler reads before it can run.
        _ = (Interpreter.interruptFlag, CoLang.ExitCode.interrupted, slots, modeSlot)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handleInterrupt
        sigemptyset(&action.sa_mask)
        action.sa_flags = restartSystemCalls ? SA_RESTART : 0
        sigaction(SIGINT, &action, nil)
    }

    /// Async-signal-safe: plain loads and stores, `write` and `_exit` only.
    private static let handleInterrupt: @convention(c) (Int32) -> Void = { _ in
        let savedErrno = errno
        let mode = slots[modeSlot]
        if mode != RunMode.idle.rawValue {
            if slots[scriptSlot] != 0 && Interpreter.interruptFlag.pointee != 0 { _exit(CoLang.ExitCode.interrupted) }
            Interpreter.interruptFlag.pointee = 1
            if mode == RunMode.background.rawValue { slots[backgroundSlot] = 1 }
        }
        if mode == RunMode.foreground.rawValue && slots[newlineSlot] != 0 {
            var newline = UInt8(ascii: "\n")
            _ = write(STDOUT_FILENO, &newline, 1)
        }
        if slots[wakeSlot] >= 0 {
            var byte: UInt8 = 1
            _ = write(slots[wakeSlot], &byte, 1)
        }
        errno = savedErrno
    }
}
