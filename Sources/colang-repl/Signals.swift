// SIGINT and SIGPIPE: Ctrl-C asks the VM to stop (and wakes the REPL's poll); SIGPIPE is ignored.
import CoLang
import Foundation

enum Signals {
    /// State the handler reads, in raw memory so the handler does no Swift runtime work:
    /// [0] 1 while CoLang code runs, [1] 1 in script mode, [2] the wake pipe's write end or -1,
    /// [3] 1 to end the terminal's echoed `^C` with a newline (REPL on a terminal).
    private static let slots: UnsafeMutablePointer<Int32> = {
        let slots = UnsafeMutablePointer<Int32>.allocate(capacity: 4)
        slots.initialize(repeating: 0, count: 4)
        slots[2] = -1
        return slots
    }()
    private static let runningSlot = 0, scriptSlot = 1, wakeSlot = 2, newlineSlot = 3

    /// A write to a closed pipe returns EPIPE (handled by `Output`) instead of killing us.
    static func ignoreBrokenPipe() { signal(SIGPIPE, SIG_IGN) }

    /// Script mode: Ctrl-C stops the program at the VM's next check (exit 130); a second Ctrl-C
    /// before the VM notices (say it waits in `input()`) exits at once.
    static func installForScript() {
        slots[scriptSlot] = 1
        slots[runningSlot] = 1
        install(restartSystemCalls: true)
    }

    /// REPL mode: Ctrl-C writes to `wakeDescriptor`'s pipe (waking `poll`) and, while an input
    /// runs, sets the interrupt flag. System calls are not restarted, so a blocked `input()` returns.
    static func installForREPL(wakeDescriptor: Int32) {
        slots[scriptSlot] = 0
        slots[wakeSlot] = wakeDescriptor
        slots[newlineSlot] = isatty(STDOUT_FILENO) == 1 ? 1 : 0
        install(restartSystemCalls: false)
    }

    /// Marks CoLang code as running (Ctrl-C interrupts it) or not (Ctrl-C only wakes the editor).
    static func setRunning(_ running: Bool) {
        Interpreter.interruptFlag.pointee = 0
        slots[runningSlot] = running ? 1 : 0
    }

    private static func install(restartSystemCalls: Bool) {
        // Initialise the lazy statics the handler reads before it can run.
        _ = (Interpreter.interruptFlag, CoLang.ExitCode.interrupted, slots, runningSlot)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handleInterrupt
        sigemptyset(&action.sa_mask)
        action.sa_flags = restartSystemCalls ? SA_RESTART : 0
        sigaction(SIGINT, &action, nil)
    }

    /// Async-signal-safe: plain loads and stores, `write` and `_exit` only.
    private static let handleInterrupt: @convention(c) (Int32) -> Void = { _ in
        let savedErrno = errno
        if slots[runningSlot] != 0 {
            if slots[scriptSlot] != 0 && Interpreter.interruptFlag.pointee != 0 { _exit(CoLang.ExitCode.interrupted) }
            Interpreter.interruptFlag.pointee = 1
            if slots[newlineSlot] != 0 {
                var newline = UInt8(ascii: "\n")
                _ = write(STDOUT_FILENO, &newline, 1)
            }
        }
        if slots[wakeSlot] >= 0 {
            var byte: UInt8 = 1
            _ = write(slots[wakeSlot], &byte, 1)
        }
        errno = savedErrno
    }
}
