// Chooses what `colang` does with its parsed flags: a script, `-e` code, standard input or the REPL.
import CoLang
import FoundationEssentials
import Glibc

public enum Launcher {
    /// Where the program text comes from.
    enum Source {
        case file(String), standardInput, code(String), repl
    }

    public static func main(arguments: [String]) -> Int32 {
        switch CommandParser.parse(arguments) {
        case .exit(let status): return status
        case .run(let invocation): return run(invocation)
        }
    }

    static func source(of invocation: Invocation) -> Source {
        if let code = invocation.code { return .code(code) }
        if let file = invocation.file { return file == "-" ? .standardInput : .file(file) }
        return isatty(STDIN_FILENO) == 1 ? .repl : .standardInput
    }

    private static func run(_ invocation: Invocation) -> Int32 {
        var invocation = invocation
        if invocation.schedule.policy == .random && invocation.seed == nil && invocation.explore == nil
            && !invocation.dis
        {
            // A random schedule is only useful if it can be replayed: pick the seed here and say it.
            let seed = UInt64.random(in: 1...999_999)
            invocation.seed = seed
            Output.writeStderr("(seed \(seed))\n")
        }
        switch source(of: invocation) {
        case .repl: return runREPL(invocation)
        case .code(let code): return ScriptRunner(invocation: invocation).run(source: code, file: "<string>")
        case .standardInput:
            return runText(
                SourceReader.read(descriptor: STDIN_FILENO, name: "<stdin>"),
                file: "<stdin>", invocation: invocation)
        case .file(let path): return runText(SourceReader.read(path: path), file: path, invocation: invocation)
        }
    }

    private static func runText(
        _ text: Result<String, SourceReader.Failure>, file: String,
        invocation: Invocation
    ) -> Int32 {
        switch text {
        case .success(let source): return ScriptRunner(invocation: invocation).run(source: source, file: file)
        case .failure(let failure):
            if let bytes = failure.invalidUTF8 {
                // Bad bytes are a syntax error like any other: say where (exit 65).
                let interpreter = Interpreter(
                    options: invocation.runOptions,
                    stdout: Output.writeStdout, stderr: Output.writeStderr)
                if interpreter.reportInvalidSource(bytes: bytes, file: file) { return ExitCode.syntaxError }
            }
            Output.writeStderr(failure.message + "\n")
            return ExitCode.noInput
        }
    }

    private static func runREPL(_ invocation: Invocation) -> Int32 {
        if invocation.dis || invocation.explore != nil || invocation.timeline != nil {
            Output.writeStderr("colang: --dis, --explore and --timeline need a script (FILE, -e CODE or standard input)\n")
            return ExitCode.usage
        }
        return ReplSession(options: invocation.runOptions, record: invocation.record).run()
    }
}

/// Runs one script (or disassembles it with `--dis`) and returns its exit code.
struct ScriptRunner {
    let invocation: Invocation
    /// The last script's interpreter, never freed (see `run`).
    nonisolated(unsafe) static var keptUntilExit: Interpreter?

    func run(source: String, file: String) -> Int32 {
        let interpreter = Interpreter(
            options: invocation.runOptions,
            stdout: Output.writeStdout, stderr: Output.writeStderr)
        if invocation.dis { return disassemble(source: source, file: file, with: interpreter) }
        if let runs = invocation.explore {
            return TeachingTools.explore(source: source, file: file, runs: runs, invocation: invocation)
        }
        interpreter.recordsSchedulerEvents = invocation.timeline != nil
        if invocation.record != nil { interpreter.startRecording() }
        Signals.installForScript()
        let status = interpreter.runScript(source: source, file: file)
        interpreter.flush()
        // The process exits right after this: freeing the program's objects one by one first
        // would be wasted work (4-10% of the allocation-heavy benchmarks, issue 17), so the
        // interpreter is kept, reachable, until the process ends.
        ScriptRunner.keptUntilExit = interpreter
        let drawn = TeachingTools.drawTimeline(of: interpreter, invocation: invocation, file: file, status: status)
        return TeachingTools.writeRecording(of: interpreter, invocation: invocation, file: file, status: drawn)
    }

    private func disassemble(source: String, file: String, with interpreter: Interpreter) -> Int32 {
        guard let listing = interpreter.disassemble(source: source, file: file) else {
            return ExitCode.syntaxError
        }
        Output.writeStdout(listing.hasSuffix("\n") ? listing : listing + "\n")
        return ExitCode.ok
    }
}
