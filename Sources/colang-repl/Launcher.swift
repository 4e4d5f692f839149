// Chooses what `colang` does with its parsed flags: a script, `-e` code, standard input or the REPL.
import CoLang
import Foundation

enum Launcher {
    /// Where the program text comes from.
    enum Source {
        case file(String), standardInput, code(String), repl
    }

    static func main(arguments: [String]) -> Int32 {
        switch CommandParser.parse(arguments) {
        case .exit(let status): return status
        case .run(let command): return run(command)
        }
    }

    static func source(of command: ColangCommand) -> Source {
        if let code = command.code { return .code(code) }
        if let file = command.file { return file == "-" ? .standardInput : .file(file) }
        return isatty(STDIN_FILENO) == 1 ? .repl : .standardInput
    }

    private static func run(_ command: ColangCommand) -> Int32 {
        switch source(of: command) {
        case .repl: return runREPL(command)
        case .code(let code): return ScriptRunner(command: command).run(source: code, file: "<string>")
        case .standardInput: return runText(SourceReader.read(descriptor: STDIN_FILENO, name: "<stdin>"),
                                            file: "<stdin>", command: command)
        case .file(let path): return runText(SourceReader.read(path: path), file: path, command: command)
        }
    }

    private static func runText(_ text: Result<String, SourceReader.Failure>, file: String,
                                command: ColangCommand) -> Int32 {
        switch text {
        case .success(let source): return ScriptRunner(command: command).run(source: source, file: file)
        case .failure(let failure):
            if let bytes = failure.invalidUTF8 {
                // Bad bytes are a syntax error like any other: say where (exit 65).
                let interpreter = Interpreter(options: command.runOptions,
                                              stdout: Output.writeStdout, stderr: Output.writeStderr)
                if interpreter.reportInvalidSource(bytes: bytes, file: file) { return ExitCode.syntaxError }
            }
            Output.writeStderr(failure.message + "\n")
            return ExitCode.noInput
        }
    }

    private static func runREPL(_ command: ColangCommand) -> Int32 {
        if command.dis || command.explore != nil || command.timeline != nil {
            Output.writeStderr("colang: --dis, --explore and --timeline need a script (FILE, -e CODE or standard input)\n")
            return ExitCode.usage
        }
        return ReplSession(options: command.runOptions).run()
    }
}

/// Runs one script (or disassembles it with `--dis`) and returns its exit code.
struct ScriptRunner {
    let command: ColangCommand

    func run(source: String, file: String) -> Int32 {
        let interpreter = Interpreter(options: command.runOptions,
                                      stdout: Output.writeStdout, stderr: Output.writeStderr)
        if command.dis { return disassemble(source: source, file: file, with: interpreter) }
        if let runs = command.explore {
            return TeachingTools.explore(source: source, file: file, runs: runs, command: command)
        }
        interpreter.recordsSchedulerEvents = command.timeline != nil
        Signals.installForScript()
        let status = interpreter.runScript(source: source, file: file)
        interpreter.flush()
        return TeachingTools.drawTimeline(of: interpreter, command: command, file: file, status: status)
    }

    private func disassemble(source: String, file: String, with interpreter: Interpreter) -> Int32 {
        guard let listing = interpreter.disassemble(source: source, file: file) else {
            return ExitCode.syntaxError
        }
        Output.writeStdout(listing.hasSuffix("\n") ? listing : listing + "\n")
        return ExitCode.ok
    }
}
