// The `colang` command line (README.md, "Command-line flags"), declared for swift-argument-parser.
import ArgumentParser
import CoLang

extension ClockKind: ExpressibleByArgument {}

/// `--schedule fifo|random`, mapped onto the library's `SchedulePolicy`.
enum ScheduleChoice: String, CaseIterable, ExpressibleByArgument {
    case fifo, random
    var policy: SchedulePolicy { self == .fifo ? .fifo : .random }
}

struct ColangCommand: ParsableCommand {
    static let version = "colang 0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "colang",
        abstract: "CoLang: a small language for learning coroutines and cooperative scheduling.",
        usage: """
            colang [<options>] [FILE [ARGS...]]
              colang [<options>] -e CODE [ARGS...]
            """,
        discussion: """
            With no FILE and no -e, colang starts the REPL when standard input is a terminal and otherwise runs standard input as a script. Words after FILE go to the script's `args` list untouched, even when they look like flags.

            Exit codes: 0 ok, 64 usage, 65 syntax error, 66 file not found or unreadable, 70 runtime error, deadlock or failed task, 130 interrupted.
            """,
        version: version)

    @Option(
        name: .customShort("e"), parsing: .unconditional,
        help: ArgumentHelp("Run CODE instead of a file.", valueName: "CODE"))
    var code: String?

    @Option(
        help: ArgumentHelp(
            "The clock for sleep and now(); virtual is instant and deterministic. (default: real; virtual for --explore)",
            valueName: "real|virtual"))
    var clock: ClockKind?

    @Option(help: ArgumentHelp("Seed for random() and the random schedule.", valueName: "N"))
    var seed: UInt64?

    @Flag(help: "Print the bytecode of every function instead of running the program.")
    var dis = false

    @Flag(help: "Print each instruction executed, with its stack, to stderr.")
    var trace = false

    @Flag(help: "Print every scheduler event (spawn, resume, yield, sleep, wake, block, finish) to stderr.")
    var traceSched = false

    @Flag(
        help: """
            Print every coroutine event (create, resume, yield, return, fail, close) to stderr, \
            as --trace-sched prints scheduler events; give both to see them interleaved.
            """)
    var traceCoroutines = false

    @Option(
        help: ArgumentHelp(
            "After the run, chart which task ran when: as text on stderr (bare --timeline) or as an SVG file.",
            valueName: "FILE.svg"))
    var timeline: String?

    @Option(
        help: ArgumentHelp(
            "Record every step of the run as one HTML page that replays it in a browser.",
            valueName: "FILE.html"))
    var record: String?

    @Option(
        help: ArgumentHelp(
            "The ready queue's order: first-come, or a seeded random pick to expose races.",
            valueName: "fifo|random"))
    var schedule: ScheduleChoice = .fifo

    @Option(
        help: ArgumentHelp(
            "Run under N random schedules and group the distinct outputs by seed.",
            valueName: "N"))
    var explore: Int?

    @Option(help: ArgumentHelp("Stop with a runtime error after N instructions.", valueName: "N"))
    var maxSteps: Int?

    @Option(
        help: ArgumentHelp(
            "Stop with a runtime error when the heap exceeds MB megabytes.",
            valueName: "MB"))
    var maxMemory: Int?

    @Option(
        help: ArgumentHelp(
            "\"Threads\" mode, to compare: also switch tasks every N instructions, wherever they are.",
            valueName: "N"))
    var preempt: Int?

    @Flag(help: "No files and no network: read_file, write_file, lines, listen and connect are runtime errors.")
    var sandbox = false

    @Flag(help: .hidden)
    var gcStress = false

    @Argument(help: ArgumentHelp("The script to run (`-` for standard input).", valueName: "FILE"))
    var file: String?

    @Argument(help: ArgumentHelp("The script's `args` list.", valueName: "ARGS"))
    var arguments: [String] = []

    mutating func validate() throws {
        for (flag, value) in [("--explore", explore), ("--max-steps", maxSteps), ("--max-memory", maxMemory), ("--preempt", preempt)] {
            if let value, value <= 0 {
                throw ValidationError("\(flag) expects \(CommandParser.numericOptions[flag] ?? "a positive number"), not \(value)")
            }
        }
        // A picture in another format is refused by name; other paths (`/dev/null`) are written.
        if let timeline, !timeline.hasSuffix(".svg"), ArgumentSplit.looksLikeAPicture(timeline) {
            throw ValidationError(
                "--timeline writes an SVG drawing, so its file must end in .svg (not '\(timeline)');"
                    + " bare --timeline draws a text chart on stderr")
        }
        if dis && record != nil { throw ValidationError("--dis does not run the program, so there is nothing to --record") }
        // Any other extension is refused: `--record kitchen.co` would overwrite the script.
        if let record, let ext = ArgumentSplit.fileExtension(record), !["html", "htm"].contains(ext.lowercased()) {
            throw ValidationError("--record writes an HTML page, so its file must end in .html (not '\(record)')")
        }
        // Each explored schedule is a whole run: beyond this it would take hours, not a lesson.
        if let explore, explore > 100_000 { throw ValidationError("--explore takes at most 100000 runs") }
    }

    /// The parsed flags as plain values.
    var invocation: Invocation {
        Invocation(
            code: code, clock: clock, seed: seed, dis: dis, trace: trace, traceSched: traceSched,
            traceCoroutines: traceCoroutines,
            timeline: timeline, record: record, schedule: schedule, explore: explore, maxSteps: maxSteps,
            maxMemory: maxMemory, preempt: preempt, gcStress: gcStress, sandbox: sandbox, file: file,
            arguments: arguments)
    }
}

/// Parses argv, printing help, version or usage errors itself.
enum CommandParser {
    enum Outcome { case run(Invocation), exit(Int32) }

    static func parse(_ arguments: [String]) -> Outcome {
        do {
            return .run(try invocation(arguments))
        } catch {
            if ColangCommand.exitCode(for: error) == ArgumentParser.ExitCode.success {
                Output.writeStdout(ColangCommand.fullMessage(for: error) + "\n")
                return .exit(CoLang.ExitCode.ok)
            }
            Output.writeStderr("colang: \(ColangCommand.message(for: error))\nRun 'colang --help' for usage.\n")
            return .exit(CoLang.ExitCode.usage)
        }
    }

    /// What `arguments` ask for, without printing anything: the parsing behind `parse(_:)`, for
    /// other callers such as the conformance runner's `# flags:` lines. Throws ArgumentParser's
    /// error for a usage error (and for `--help` and `--version`); `message(for:)` words it.
    static func invocation(_ arguments: [String]) throws -> Invocation {
        let split = ArgumentSplit(arguments)
        // `--max-steps -5`: ArgumentParser takes `-5` for a flag and says the value is missing.
        let words = split.options
        for (flag, value) in zip(words, words.dropFirst()) where numericOptions[flag] != nil {
            if value.hasPrefix("-") && Int(value) != nil {
                throw ValidationError("\(flag) expects \(numericOptions[flag]!), not \(value)")
            }
        }
        // Plain `colang [FILE [ARGS...]]` has nothing to parse; setting up ArgumentParser would be
        // a third of the start-up time.
        if split.options.isEmpty {
            return Invocation(file: split.positionals.first, arguments: Array(split.positionals.dropFirst()))
        }
        return try ColangCommand.parse(split.parserArguments).invocation
    }

    /// Options whose value is a number, and what they expect.
    static let numericOptions = [
        "--max-steps": "a positive number", "--max-memory": "a positive number of megabytes",
        "--explore": "a positive number of runs", "--preempt": "a positive number of instructions",
        "--seed": "a number from 0 up",
    ]

    /// The one-line message `colang` prints for an error thrown by `invocation(_:)`.
    static func message(for error: Error) -> String { ColangCommand.message(for: error) }
}
