// The interactive REPL (README.md, "REPL tour"): prompts, continuation lines, evaluation, Ctrl-C and Ctrl-D.
import CoLang
import FoundationEssentials
import Glibc

final class ReplSession {
    static let prompt = ">>> ", continuation = "... "

    let interpreter: Interpreter
    let style = TerminalStyle.detect()
    let background = BackgroundWork()
    private let editor: LineEditor
    private var history = History()
    /// Lines of an input that is not finished yet (open bracket, block or string).
    private var pending: [String] = []
    /// Inputs that ran without error, in order: what `:save` writes.
    private(set) var accepted: [String] = []

    /// `:record FILE.html` (or `--record`): the page the session's recording is written to,
    /// rewritten after every input.
    var recordPath: String?
    /// The user was told that the recording is full.
    var warnedFull = false

    init(options: RunOptions, record: String? = nil) {
        let style = self.style, background = self.background
        interpreter = Interpreter(
            options: options,
            stdout: {
                background.prepareForOutput(); Output.writeStdout($0)
            },
            stderr: {
                background.prepareForOutput(); Output.writeStderr(style.error($0))
            },
            stdin: ReplSession.readInputLine)
        background.interpreter = interpreter
        interpreter.promptTurn = BackgroundWork.promptTurn
        interpreter.recordsSchedulerEvents = true  // for `:timeline`
        editor = LineEditor(background: background)
        if let record { startRecording(to: record) }
    }

    /// Runs until `:quit`, Ctrl-D or the end of stdin; returns the exit code.
    func run() -> Int32 {
        Completion.globalNames = { [interpreter] in interpreter.globalNames }
        Completion.membersOfGlobal = { [interpreter] in interpreter.memberNames(ofGlobal: $0) }
        history.load()
        Signals.installForREPL(wakeDescriptor: editor.wakeDescriptor)
        Output.writeStdout("\(ColangCommand.version) — :help lists the commands, Ctrl-D leaves.\n")
        while true {
            let prompt = pending.isEmpty ? Self.prompt : Self.continuation
            switch editor.readLine(prompt: style.prompt(prompt)) {
            case .line(let line):
                if handle(line) == .quit {
                    saveRecording()
                    return ExitCode.ok
                }
            case .interrupted:
                pending = []
            case .endOfInput:
                Output.writeStdout("\n")
                saveRecording()
                return ExitCode.ok
            }
        }
    }

    enum Next { case keepGoing, quit }

    /// One entered line: a `:command` at the start of an input, or part of CoLang code.
    private func handle(_ line: String) -> Next {
        history.add(line)
        if pending.isEmpty, let (name, argument) = ReplCommand.parse(line) {
            return runCommand(name: name, argument: argument)
        }
        if pending.isEmpty && line.allSatisfy(\.isWhitespace) { return .keepGoing }
        if pending.isEmpty, let word = bareWord(line) {
            // `exit`, `quit` and `help` alone do what they say (Python's REPL only hints at
            // them), unless the program has a variable of that name.
            switch word {
            case "exit", "quit": return .quit
            default:
                _ = evaluate("help()")
                return .keepGoing
            }
        }
        pending.append(line)
        let input = pending.joined(separator: "\n")
        switch evaluate(input) {
        case .incomplete: return .keepGoing
        case .ok: accepted.append(input)
        case .error: break
        }
        pending = []
        return .keepGoing
    }

    /// `exit`, `quit` or `help` typed alone (spaces and a `# comment` around it allowed),
    /// when no global of that name shadows the builtin meaning.
    private func bareWord(_ line: String) -> String? {
        var text = Substring(line)
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        let word = String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        guard ["exit", "quit", "help"].contains(word) else { return nil }
        if word != "help" && interpreter.globalNames.contains(word) { return nil }
        return word
    }

    /// Runs an input with Ctrl-C armed to interrupt it; state is kept whatever happens.
    func evaluate(_ source: String) -> ReplStatus {
        if interpreter.isIncomplete(source) { return .incomplete }
        return runInForeground { interpreter.evalREPL(source) }
    }

    /// Runs CoLang code while the user waits (an input, `:step`, `:run`): Ctrl-C interrupts it.
    func runInForeground<T>(_ body: () -> T) -> T {
        let result = Signals.running(.foreground, body)
        interpreter.flush()
        saveRecording()
        editor.drainWakePipe()
        background.inputFinished()
        return result
    }

    /// `input()` in the REPL reads the terminal directly, unbuffered (readline owns fd 0 between
    /// inputs). Ctrl-C interrupts the read, so `input()` returns nil and the VM then sees the flag.
    /// (`Swift.readLine` retries EINTR forever once stdin's error flag is set, so it is not used.)
    private static func readInputLine() -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0 && errno == EINTR && Interpreter.interruptFlag.pointee == 0 { continue }
            if count <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }

    func printError(_ message: String) {
        Output.writeStderr(style.error(message) + "\n")
    }

    func printInfo(_ message: String) {
        Output.writeStdout(message + "\n")
    }

    /// Forgets the session's inputs (after `:reset`).
    func forgetAcceptedInputs() { accepted = [] }

    /// Records a `:load`ed file's text as if it had been typed.
    func accept(_ source: String) {
        accepted.append(String(source.reversed().drop { $0 == "\n" }.reversed()))
    }
}
