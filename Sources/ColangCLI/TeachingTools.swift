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

    /// After a script ran with `--record FILE.html`: the page written, and one line on stderr
    /// saying where (and that the run was longer than the recording, when it was). Returns the
    /// exit code: the script's, or 70 when the page cannot be written.
    static func writeRecording(of interpreter: Interpreter, invocation: Invocation, file: String, status: Int32) -> Int32 {
        guard let path = invocation.record else { return status }
        interpreter.endRecording(exitStatus: status)
        guard let html = interpreter.recordingHTML(title: file == "-" ? "<stdin>" : file, exitStatus: status) else { return status }
        guard write(html, to: path) else { return status == ExitCode.ok ? ExitCode.runtimeError : status }
        Output.writeStderr("colang: " + recordingSummary(of: interpreter, path: path) + "\n")
        return status
    }

    /// `recorded 1234 steps in run.html (...)`: what a recording holds, for a person.
    static func recordingSummary(of interpreter: Interpreter, path: String) -> String {
        let steps = interpreter.recordedSteps ?? 0
        var text = "recorded \(steps) step\(steps == 1 ? "" : "s") in \(path)"
        if interpreter.recordingIsTruncated {
            text += " (the run went on past them: a recording keeps the first \(steps))"
        }
        return text + "; open it in a browser"
    }

    /// Writes `text` to `path`, reporting a failure on stderr.
    static func write(_ text: String, to path: String) -> Bool {
        guard let reason = FileWriter.write(text, to: path) else { return true }
        Output.writeStderr("colang: cannot write '\(path)': \(reason)\n")
        return false
    }

    /// `--explore N`: the report on stdout; 65 if the program does not compile, 130 on Ctrl-C.
    static func explore(source: String, file: String, runs: Int, invocation: Invocation) -> Int32 {
        if invocation.timeline != nil || invocation.record != nil {
            let flag = invocation.timeline != nil ? "draw a --timeline" : "make one --record"
            Output.writeStderr("colang: --explore runs the program many times; it cannot \(flag)\n")
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
