// GNU readline through its callback interface, driven by poll() on stdin and the Ctrl-C wake pipe.
import CReadline
import FoundationEssentials
import Glibc

/// What the user did at the prompt.
enum LineEvent: Equatable {
    case line(String)
    /// Ctrl-C while typing: the line was dropped.
    case interrupted
    /// Ctrl-D on an empty line, or stdin closed.
    case endOfInput
}

/// Reads lines with readline's callback interface so that the REPL keeps control between
/// keystrokes: `background` runs after every key or poll timeout (the scheduler's turn).
final class LineEditor {
    private let wakePipe: (read: Int32, write: Int32)
    private let background: BackgroundWork

    /// Where the C line handler leaves its result (C callbacks cannot capture context).
    private static var received: LineEvent?
    private static let onLine: @convention(c) (UnsafeMutablePointer<CChar>?) -> Void = { line in
        rl_callback_handler_remove()  // restores the terminal while the input runs
        guard let line else { received = .endOfInput; return }
        received = .line(String(cString: line))
        free(line)
    }

    init(background: BackgroundWork) {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        }
        wakePipe = (fds[0], fds[1])
        self.background = background
        rl_catch_signals = 0  // our SIGINT handler reports Ctrl-C through the wake pipe
        rl_readline_name = UnsafePointer(strdup("colang"))
        Completion.install()
    }

    /// The write end of the pipe that a signal handler writes to, to wake `poll`.
    var wakeDescriptor: Int32 { wakePipe.write }

    /// Shows `prompt` and edits one line, running background work between keystrokes.
    func readLine(prompt: String) -> LineEvent {
        Self.received = nil
        drainWakePipe()
        rl_callback_handler_install(prompt, Self.onLine)
        while true {
            switch waitForInput() {
            case .key: rl_callback_read_char()
            case .interrupt: abandonLine(); return .interrupted
            case .closed: rl_callback_handler_remove(); return .endOfInput
            case .timeout: break
            }
            if let event = Self.received { return event }
            // A Ctrl-C that paused a background task is not also one for the typed line.
            if background.runBetweenKeystrokes() { drainWakePipe() }
        }
    }

    /// Forgets any Ctrl-C that arrived while an input was running.
    func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakePipe.read, &buffer, buffer.count) > 0 {}
    }

    private enum Wake { case key, interrupt, closed, timeout }

    private func waitForInput() -> Wake {
        let revents = background.waitForInput(on: [STDIN_FILENO, wakePipe.read])
        if revents[1] != 0 { drainWakePipe(); return .interrupt }
        if revents[0] & Int16(POLLNVAL) != 0 { return .closed }
        return revents[0] != 0 ? .key : .timeout
    }

    /// Ctrl-C while typing: echo `^C`, drop the line and leave the terminal as readline found it.
    private func abandonLine() {
        rl_echo_signal_char(SIGINT)
        rl_free_line_state()
        rl_callback_sigcleanup()
        rl_cleanup_after_signal()
        rl_callback_handler_remove()
        fputs("\n", stdout)
        fflush(stdout)
    }
}
