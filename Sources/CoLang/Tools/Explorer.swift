// Schedule exploration (`--explore N`): one program under N seeded random schedules, outcomes grouped.
import FoundationEssentials
import Glibc

/// Collects what one run writes.
private final class CapturedOutput {
    var stdout = ""
    var stderr = ""
}

enum Explorer {
    /// One run with its seed and what it printed.
    struct Run {
        let seed: UInt64
        let stdout: String
        let stderr: String
        let exitCode: Int32
    }

    /// Runs seeds 1...runs, stopping early on a syntax error (every run would repeat it) or Ctrl-C.
    static func explore(source: String, file: String, runs: Int, options: RunOptions) -> ExploreReport {
        var done: [Run] = []
        var exitCode = ExitCode.ok
        for seed in UInt64(1)...UInt64(max(runs, 1)) {
            let run = self.run(source: source, file: file, seed: seed, options: options)
            if run.exitCode == ExitCode.interrupted { exitCode = ExitCode.interrupted; break }
            done.append(run)
            if run.exitCode == ExitCode.syntaxError { exitCode = ExitCode.syntaxError; break }
        }
        return ExploreReport(
            file: file, options: options, requestedRuns: runs, runs: done.count,
            outcomes: group(done), exitCode: exitCode)
    }

    /// A fresh interpreter on a random schedule with this seed; traces off, no standard input.
    static func run(source: String, file: String, seed: UInt64, options: RunOptions) -> Run {
        var options = options
        options.schedule = .random
        options.seed = seed
        options.trace = false
        options.traceScheduler = false
        options.traceCoroutines = false
        let captured = CapturedOutput()
        let interpreter = Interpreter(
            options: options,
            stdout: { captured.stdout += $0 },
            stderr: { captured.stderr += $0 },
            stdin: { nil })
        let status = interpreter.runScript(source: source, file: file)
        interpreter.flush()
        return Run(seed: seed, stdout: captured.stdout, stderr: captured.stderr, exitCode: status)
    }

    /// Groups runs by standard output and exit code, in order of each outcome's first seed.
    static func group(_ runs: [Run]) -> [ExploreReport.Outcome] {
        var outcomes: [ExploreReport.Outcome] = []
        var indexOfKey: [CodePoints: Int] = [:]  // outputs differ when their code points do
        for run in runs {
            let key = CodePoints("\(run.exitCode)\u{0}\(run.stdout)")
            if let index = indexOfKey[key] {
                outcomes[index].seeds.append(run.seed)
            } else {
                indexOfKey[key] = outcomes.count
                outcomes.append(
                    ExploreReport.Outcome(
                        stdout: run.stdout, exitCode: run.exitCode,
                        stderr: run.stderr, seeds: [run.seed]))
            }
        }
        return outcomes
    }
}

// MARK: - The report's text

extension ExploreReport {
    /// How many output lines of one outcome the report shows.
    static let shownLines = 20

    func render() -> String {
        var lines = [headline(), ""]
        for (index, outcome) in outcomes.enumerated() {
            lines += describe(outcome, number: index + 1)
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    private func headline() -> String {
        let count = outcomes.count
        var text = "\(count) distinct outcome\(count == 1 ? "" : "s") in \(runs) run\(runs == 1 ? "" : "s")"
        text += " (random schedules, seeds 1-\(max(runs, 1)), \(options.clock.rawValue) clock)"
        if exitCode == ExitCode.interrupted { text += "; interrupted after \(runs) of \(requestedRuns)" }
        if exitCode == ExitCode.syntaxError { text += "; stopped: the program does not compile" }
        return text
    }

    private func describe(_ outcome: Outcome, number: Int) -> [String] {
        let share = "\(outcome.seeds.count) of \(runs) run\(runs == 1 ? "" : "s")"
        var lines = [
            "outcome \(number): \(share), exit \(outcome.exitCode) (\(meaning(outcome.exitCode)))",
            "  seeds: " + Self.ranges(outcome.seeds),
            "  replay: " + replayCommand(seed: outcome.seeds[0]),
        ]
        lines += quoted("stdout", outcome.stdout)
        if !outcome.stderr.isEmpty { lines += quoted("stderr of seed \(outcome.seeds[0])", outcome.stderr) }
        return lines
    }

    /// `1-3, 5, 8-9`: ascending seeds with consecutive runs collapsed.
    static func ranges(_ seeds: [UInt64]) -> String {
        var parts: [String] = []
        var index = 0
        while index < seeds.count {
            var end = index
            while end + 1 < seeds.count && seeds[end + 1] == seeds[end] + 1 { end += 1 }
            parts.append(end == index ? "\(seeds[index])" : "\(seeds[index])-\(seeds[end])")
            index = end + 1
        }
        return parts.joined(separator: ", ")
    }

    private func quoted(_ name: String, _ text: String) -> [String] {
        guard !text.isEmpty else { return ["  \(name): (nothing)"] }
        var body = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if body.last == "" { body.removeLast() }
        var lines = ["  \(name):"] + body.prefix(Self.shownLines).map { "    | " + $0 }
        if body.count > Self.shownLines { lines.append("    … \(body.count - Self.shownLines) more lines") }
        return lines
    }

    private func meaning(_ code: Int32) -> String {
        switch code {
        case ExitCode.ok: return "ok"
        case ExitCode.syntaxError: return "syntax error"
        case ExitCode.runtimeError: return "runtime error, deadlock or failed task"
        default: return "status \(code)"
        }
    }

    /// The `colang` command line that replays one seed's schedule.
    func replayWords(seed: UInt64) -> String {
        var words = ["colang"]
        if options.clock == .virtual { words += ["--clock", "virtual"] }
        words += ["--schedule", "random", "--seed", String(seed)]
        if let steps = options.maxSteps { words += ["--max-steps", String(steps)] }
        if let megabytes = options.maxMemoryMB { words += ["--max-memory", String(megabytes)] }
        if let slice = options.preempt { words += ["--preempt", String(slice)] }
        switch file {
        case "<string>": words += ["-e", "CODE"]
        case "<stdin>": words.append("- < SCRIPT")
        default: words.append(file.contains(" ") ? "'\(file)'" : file)
        }
        return (words + options.scriptArgs).joined(separator: " ")
    }
}
