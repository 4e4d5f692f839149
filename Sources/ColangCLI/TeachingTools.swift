// `--timeline [FILE.svg]` and `--explore N` for scripts: drawing the run's timeline, exploring schedules.
import CoLang
import FoundationEssentials
import Glibc

enum TeachingTools {
    /// After a script ran with `--timeline`: the text chart on stderr, or the SVG file written.
    /// Returns the exit code: the script's, or 70 when the SVG file cannot be written.
    static func drawTimeline(
        of interpreter: Interpreter, invocation: Invocation, file: String,
        status: Int32
    ) -> Int32 {
        guard let target = invocation.timeline, !interpreter.schedulerEvents.isEmpty else { return status }
        if target == ArgumentSplit.textTimeline {
            Output.writeStderr(interpreter.timelineText())
            return status
        }
        let svg = interpreter.timelineSVG(title: "Timeline of \(file)")
        guard write(svg, to: target) else { return status == ExitCode.ok ? ExitCode.runtimeError : status }
        return status
    }

    /// Writes `text` to `path`, reporting a failure on stderr.
    static func write(_ text: String, to path: String) -> Bool {
        guard let reason = FileWriter.write(text, to: path) else { return true }
        Output.writeStderr("colang: cannot write '\(path)': \(reason)\n")
        return false
    }

    /// `--explore N`: the report on stdout; 65 if the program does not compile, 130 on Ctrl-C.
    static func explore(source: String, file: String, runs: Int, invocation: Invocation) -> Int32 {
        if invocation.timeline != nil {
            Output.writeStderr("colang: --explore runs the program many times; it cannot draw a --timeline\n")
            return ExitCode.usage
        }
        var options = invocation.runOptions
        options.clock = invocation.clock ?? .virtual
        Signals.installForScript()
        let report = Interpreter.explore(source: source, file: file, runs: runs, options: options)
        if report.exitCode == ExitCode.syntaxError, let outcome = report.outcomes.first {
            Output.writeStderr(outcome.stderr)
            return ExitCode.syntaxError
        }
        Output.writeStdout(report.description)
        return report.exitCode
    }
}
