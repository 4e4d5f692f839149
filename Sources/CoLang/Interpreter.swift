// The library's front door: run scripts, evaluate REPL inputs, disassemble, interrupt.
import CoLangSyntax
import FoundationEssentials
import Glibc

/// Which clock `sleep` and `now()` use.
public enum ClockKind: String, Sendable, CaseIterable { case real, virtual }

/// How the scheduler picks the next ready task.
public enum SchedulePolicy: Sendable, Equatable {
    /// First-in first-out (the default, fully deterministic).
    case fifo
    /// A seeded random pick among the ready tasks, to expose races.
    case random
}

/// Settings for one interpreter, mirroring the command-line flags.
public struct RunOptions: Sendable {
    public var clock: ClockKind = .real
    /// Seed for `random()` and the random schedule; `nil` picks one from the time.
    public var seed: UInt64? = nil
    /// `--trace`: print each instruction executed, with its stack, to stderr.
    public var trace = false
    /// `--trace-sched`: print every scheduler event to stderr.
    public var traceScheduler = false
    /// `--trace-coroutines`: print every coroutine event (create, resume, yield, return, fail,
    /// close) to stderr, in the same format.
    public var traceCoroutines = false
    public var schedule: SchedulePolicy = .fifo
    /// `--max-steps`: instructions the program may execute; exceeding it is a runtime error.
    public var maxSteps: Int? = nil
    /// `--max-memory` in megabytes of CoLang heap.
    public var maxMemoryMB: Int? = nil
    /// The script's `args` list.
    public var scriptArgs: [String] = []
    /// Collect garbage at every allocation (a testing mode that shakes out missing GC roots).
    public var gcStress = false
    /// `--preempt N`, "threads" mode: the running task is also switched out after every N
    /// instructions, wherever it is (a time slice). `nil` is cooperative scheduling only.
    public var preempt: Int? = nil
    /// `--sandbox`: no files and no network; every call of `read_file`, `write_file`, `lines`,
    /// `listen` and `connect` (so `http_get` too) is a runtime error.
    public var sandbox = false
    public init() {}
}

/// `colang`'s exit codes (README.md, "Run").
public enum ExitCode {
    public static let ok: Int32 = 0
    public static let usage: Int32 = 64
    public static let syntaxError: Int32 = 65
    public static let noInput: Int32 = 66
    public static let runtimeError: Int32 = 70
    public static let interrupted: Int32 = 130
}

/// The outcome of one REPL input.
public enum ReplStatus: Equatable, Sendable {
    /// The input ran (its value, if any, was echoed).
    case ok
    /// The input is an unfinished construct: ask for another line and call again with both.
    case incomplete
    /// A syntax or runtime error was printed; the session's state is kept.
    case error
}

/// One CoLang world: globals, heap, scheduler and tasks. A script run and a REPL session each
/// use one `Interpreter`; REPL inputs share its state.
public final class Interpreter {
    public let options: RunOptions
    private(set) var vm: VM
    /// How many scheduler events were recorded before the recording began (its timeline starts there).
    var recordingEventsBase = 0
    /// The same for coroutine events.
    var recordingCoroutineBase = 0
    /// Where the recording's timeline starts (the program's start, or when `:record` began).
    var recordingOrigin = 0.0
    private let streams: (out: (String) -> Void, err: (String) -> Void, input: () -> String?)

    /// - Parameters:
    ///   - stdout: receives program output (`print`); the default writes to the process's stdout.
    ///   - stderr: receives error reports and traces; the default writes to the process's stderr.
    ///   - stdin: supplies lines to `input()`; `nil` means end of input.
    public init(
        options: RunOptions = RunOptions(),
        stdout: ((String) -> Void)? = nil,
        stderr: ((String) -> Void)? = nil,
        stdin: (() -> String?)? = nil
    ) {
        self.options = options
        self.streams = (
            stdout ?? StdStreams.writeStdout, stderr ?? StdStreams.writeStderr,
            stdin ?? StdStreams.readLine
        )
        self.vm = VM(options: options, out: streams.out, err: streams.err, input: streams.input)
    }

    /// Parses, compiles and runs a whole script until `main` and every task have finished.
    /// Errors are reported on `stderr`. Returns the process exit code (0, 65, 70 or 130).
    public func runScript(source: String, file: String) -> Int32 {
        vm.runScript(source: source, file: file)
    }

    /// Compiles a script and returns the listing of every function (`--dis`), or prints the
    /// syntax errors and returns `nil`.
    public func disassemble(source: String, file: String) -> String? {
        vm.disassembleScript(source: source, file: file)
    }

    /// Evaluates one REPL input (possibly several lines). Expression statements echo their value
    /// (strings quoted, `nil` not echoed). State persists across calls.
    public func evalREPL(_ source: String) -> ReplStatus {
        vm.evalREPL(source: source)
    }

    /// Runs a file's text in the REPL's world (`:load FILE`) as `colang FILE` runs it: errors
    /// name `file` and its lines, expression statements are not echoed, and an unfinished
    /// statement at the end is a syntax error. Its definitions stay; its tasks go on.
    public func load(_ source: String, file: String) -> ReplStatus {
        vm.evalREPL(source: source, file: file)
    }

    /// Parses source that is not valid UTF-8 from its raw bytes and prints the located
    /// diagnostics (`file:line:col: error: invalid UTF-8 byte 0xE9`). Returns false when the
    /// parser found nothing to report.
    public func reportInvalidSource(bytes: [UInt8], file: String) -> Bool {
        let (_, diagnostics) = Parser.parse(bytes: bytes, file: file)
        guard !diagnostics.isEmpty else { return false }
        let text = SourceText(name: file, text: String(decoding: bytes, as: UTF8.self))
        vm.writeError(diagnostics.map { $0.render(source: text) }.joined())
        return true
    }

    /// True when `source` is an unfinished construct (open bracket, block or string).
    public func isIncomplete(_ source: String) -> Bool {
        vm.isIncomplete(source: source)
    }

    /// The disassembly of the function bound to global `name`, or `nil` if there is none.
    public func disassembleGlobal(named name: String) -> String? {
        vm.disassembleGlobal(named: name)
    }

    /// Names of the defined globals (builtins included), for tab completion.
    public var globalNames: [String] { vm.definedGlobalNames() }

    /// The methods and fields of the value of global `name` (a map's are its keys that are
    /// names), for completion after `name.`; nil when no such global is defined.
    public func memberNames(ofGlobal name: String) -> [String]? { vm.memberNames(ofGlobal: name) }

    /// Method and field names of every built-in type, for completion after `.`.
    public static var memberNames: [String] { Builtins.allMemberNames }

    /// CoLang's keywords, for completion.
    public static let keywords: [String] = Lexer.keywords

    // MARK: - The scheduler at the prompt

    /// Runs background tasks that are ready (spawned at the prompt) for about `timeSlice`
    /// seconds. Returns the seconds until the next sleeping task is due (0: more is ready now),
    /// or `nil` when nothing is scheduled. The REPL calls this between keystrokes.
    public func runBackground(timeSlice: Double = 0.02) -> Double? { vm.runBackground(timeSlice: timeSlice) }

    /// The line editor's wait for a key, in the scheduler's one `poll(2)`: returns when one of
    /// `descriptors` is readable (each one's `revents` is returned, in order), when the next
    /// sleeping task is due (only with `includeTimers`), or after `maxWait` seconds.
    public func waitForInput(on descriptors: [Int32], includeTimers: Bool, maxWait: Double?) -> [Int16] {
        vm.waitForInput(on: descriptors, includeTimers: includeTimers, maxWait: maxWait)
    }

    /// True when a task is ready or sleeping.
    public var hasBackgroundWork: Bool { vm.hasBackgroundWork }

    /// `:step`: runs one task's turn and reports it; `nil` when no task can run. `verbose`
    /// (`:step -v`) names the instruction each position continues with.
    public func step(verbose: Bool = false) -> StepReport? { vm.step(verbose: verbose) }

    /// `:run`: runs tasks until none is ready or sleeping, or Ctrl-C.
    public func runUntilIdle() { vm.runUntilIdle() }

    /// `:auto off`: an input's main task runs whenever it is ready; background tasks get a turn
    /// only while it waits (join, receive, sleep), and otherwise wait for `:step` or `:run`.
    public var holdsBackgroundTasks: Bool {
        get { vm.holdBackground }
        set { vm.holdBackground = newValue }
    }

    /// REPL: a background task that runs this many seconds without yielding is switched out so
    /// that the prompt (and an input) gets a turn; it keeps its place. `nil` (scripts): never.
    public var promptTurn: Double? {
        get { vm.promptTurnNanos.map { Double($0) / 1e9 } }
        set { vm.promptTurnNanos = newValue.map { UInt64(max($0, 0) * 1e9) } }
    }

    /// The task most recently switched out for the prompt, while it has not yielded since.
    public var hoggingTaskName: String? { vm.hoggingTask.map(\.name) }

    /// Tasks that Ctrl-C paused, waiting for `:run` or `:step`.
    public var pausedTaskNames: [String] { vm.scheduler.paused.map(\.name) }

    /// `:tasks`: a table of live tasks (id, name, status, waiting on, switches, time run).
    public func taskTable() -> String { vm.taskTable() }

    /// `:clock real|virtual`.
    public var clock: ClockKind {
        get { vm.clock.kind }
        set { vm.clock.switchTo(newValue) }
    }

    /// `:trace on|off`: scheduler events to stderr.
    public var traceScheduler: Bool {
        get { vm.events.traceScheduler }
        set { vm.events.traceScheduler = newValue }
    }

    /// `--trace-coroutines`: coroutine events (create, resume, yield, return, fail, close) to
    /// stderr, in `--trace-sched`'s format.
    public var traceCoroutines: Bool {
        get { vm.events.traceCoroutineEvents }
        set { vm.events.traceCoroutineEvents = newValue }
    }

    /// While true, every scheduler event and every coroutine event is recorded (for timelines).
    public var recordsSchedulerEvents: Bool {
        get { vm.events.recording }
        set { vm.events.recording = newValue }
    }

    /// The scheduler events recorded so far, oldest first.
    public var schedulerEvents: [SchedulerEvent] { vm.events.recorded }

    /// The coroutine events recorded so far, oldest first (each says where it falls among
    /// `schedulerEvents`).
    public var coroutineEvents: [CoroutineEvent] { vm.events.recordedCoroutines }

    /// How many coroutine events were not recorded: only the first 200,000 are kept.
    public var droppedCoroutineEvents: Int { vm.events.droppedCoroutines }

    /// Forgets the recorded scheduler and coroutine events; the next timeline starts now.
    public func clearSchedulerEvents() {
        vm.events.recorded.removeAll()
        vm.events.recordedCoroutines.removeAll()
        vm.events.droppedCoroutines = 0
        vm.events.recordingOrigin = vm.clock.now
    }

    /// Where a timeline of the recorded events starts: 0 (the program's start), or the time of
    /// the last `clearSchedulerEvents()`.
    public var timelineOrigin: Double { vm.events.recordingOrigin }

    /// The program clock now (seconds since start; virtual or real).
    public var now: Double { vm.clock.now }

    /// Forgets every global, task and object, as a fresh interpreter.
    public func reset() {
        vm.flushOutput()
        let (hold, turn) = (vm.holdBackground, vm.promptTurnNanos)
        vm = VM(options: options, out: streams.out, err: streams.err, input: streams.input)
        (vm.holdBackground, vm.promptTurnNanos) = (hold, turn)
    }

    /// Flushes buffered program output.
    public func flush() { vm.flushOutput() }

    /// The flag a SIGINT handler sets (async-signal-safe: a plain store). The running program
    /// stops at its next checkpoint (every few thousand instructions, and inside long builtins)
    /// with an "interrupted" status.
    public static let interruptFlag: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()
}

/// Buffered writers for the process's standard streams.
enum StdStreams {
    /// Bytes read from standard input but not yet returned.
    /// `nonisolated(unsafe)`: only the interpreter's one thread reads standard input.
    nonisolated(unsafe) private static var pending: [UInt8] = []

    /// One line of standard input without its newline, or nil at end of input. Unlike
    /// `Swift.readLine` it gives up when Ctrl-C interrupts the wait (`interruptFlag` set).
    static func readLine() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[..<nl])
                pending.removeSubrange(...nl)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n > 0 {
                pending.append(contentsOf: buffer[..<n])
            } else if n < 0 && errno == EINTR && Interpreter.interruptFlag.pointee == 0 {
                continue
            } else {
                // End of input (or an interrupted or failed read): the last line, if any.
                if pending.isEmpty || n < 0 { return nil }
                let line = pending
                pending.removeAll()
                return String(decoding: line, as: UTF8.self)
            }
        }
    }

    static func writeStdout(_ s: String) { write(s, to: stdout) }
    static func writeStderr(_ s: String) { fflush(stdout); write(s, to: stderr) }

    /// Writes all of `s`'s UTF-8 bytes (`fputs` would stop at a NUL character).
    static func write(_ s: String, to stream: UnsafeMutablePointer<FILE>) {
        var copy = s
        copy.withUTF8 { bytes in
            if let base = bytes.baseAddress { _ = fwrite(base, 1, bytes.count, stream) }
        }
    }
}
