// The process's output streams: writers that stop quietly when stdout is closed, and colour.
import FoundationEssentials
import Glibc
import CoLang

public enum Output {
    /// Writes program output. The library buffers output itself and hands it over when it should
    /// be seen (e.g. before `input()` waits), so it goes straight out. A closed stdout (EPIPE, e.g.
    /// `colang x.co | head -1`) ends the process quietly instead of running on with nobody reading.
    static func writeStdout(_ text: String) {
        writeBytes(text, to: stdout)
        fflush(stdout)
        checkStdout()
    }

    /// Writes an error report after flushing stdout, so the two streams interleave in order.
    static func writeStderr(_ text: String) {
        fflush(stdout)
        checkStdout()
        writeBytes(text, to: stderr)
    }

    /// Writes all of `text`'s UTF-8 bytes (`fputs` would stop at a NUL character).
    static func writeBytes(_ text: String, to stream: UnsafeMutablePointer<FILE>) {
        var copy = text
        copy.withUTF8 { bytes in
            if let base = bytes.baseAddress { _ = fwrite(base, 1, bytes.count, stream) }
        }
    }

    /// Flushes stdout at exit, quietly if nobody reads it any more.
    public static func finish() {
        fflush(stdout)
        checkStdout()
    }

    /// After a failed write: a reader that went away ends the process quietly; an interrupted
    /// write (Ctrl-C) leaves the stream usable; anything else (a full disk, a closed descriptor)
    /// is reported once and ends the run with status 70, as `cat` would, instead of running on
    /// while the output is lost.
    private static func checkStdout() {
        guard ferror(stdout) != 0 else { return }
        let code = errno
        if code == EPIPE { _exit(FrontEndExit.brokenPipe) }
        clearerr(stdout)
        if code == EINTR || code == EAGAIN { return }
        let reason = code == 0 ? "write failed" : String(cString: strerror(code))
        writeBytes("colang: cannot write to standard output: \(reason)\n", to: stderr)
        _exit(ExitCode.runtimeError)
    }
}

/// Exit statuses of the front end that the library's `ExitCode` does not name.
enum FrontEndExit {
    /// Whoever read our output went away: that is their choice, not our failure.
    static let brokenPipe: Int32 = 0
}

/// ANSI colour for the REPL, only when stdout is a terminal and `NO_COLOR` is unset.
struct TerminalStyle {
    let enabled: Bool

    static func detect() -> TerminalStyle {
        TerminalStyle(enabled: isatty(STDOUT_FILENO) == 1 && getenv("NO_COLOR") == nil)
    }

    /// A readline prompt: escapes are wrapped in \u{1}…\u{2} so readline does not count them.
    func prompt(_ text: String) -> String {
        enabled ? "\u{1}\u{1B}[1;34m\u{2}\(text)\u{1}\u{1B}[0m\u{2}" : text
    }

    /// Error text (stderr), red when stderr is a terminal too.
    func error(_ text: String) -> String {
        enabled && isatty(STDERR_FILENO) == 1 ? "\u{1B}[31m\(text)\u{1B}[0m" : text
    }

    /// A command name in `:help`.
    func emphasis(_ text: String) -> String {
        enabled ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }
}
