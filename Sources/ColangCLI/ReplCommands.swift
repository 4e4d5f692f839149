// What each REPL `:command` does, on top of the session's interpreter.
import CoLang
import FoundationEssentials
import Glibc

extension ReplSession {
    func runCommand(name: String, argument: String) -> Next {
        guard let command = ReplCommand(rawValue: name) else {
            printError("unknown command ':\(name)' (:help lists the commands)")
            return .keepGoing
        }
        switch command {
        case .quit: return .quit
        case .help: showHelp()
        case .load: load(path: argument)
        case .dis: disassemble(name: argument)
        case .reset: reset()
        case .save: save(path: argument)
        case .tasks: Output.writeStdout(interpreter.taskTable())
        case .step: step(count: argument)
        case .run: runInForeground { interpreter.runUntilIdle() }
        case .auto: setSwitch(argument, command: command) { background.auto = $0 }
        case .clock: setClock(argument)
        case .trace: setSwitch(argument, command: command) { interpreter.traceScheduler = $0 }
        case .timeline: timeline(argument)
        }
        return .keepGoing
    }

    /// `:step [N] [-v]`: runs N scheduler steps, one line each: which task ran, from where to
    /// where, why; `-v` adds the bytecode instruction at each position.
    private func step(count argument: String) {
        var words = argument.split(whereSeparator: \.isWhitespace)
        let verbose = words.contains("-v")
        words.removeAll { $0 == "-v" }
        guard words.count <= 1, let count = words.first.map({ Int($0) }) ?? 1, count > 0 else {
            return printError("usage: \(ReplCommand.step.usage)")
        }
        for _ in 0..<count {
            guard let report = runInForeground({ interpreter.step(verbose: verbose) }) else {
                return printInfo("no task can run")
            }
            printInfo(report.description)
        }
    }

    /// `:auto on|off`, `:trace on|off`: no argument shows the current setting.
    private func setSwitch(_ argument: String, command: ReplCommand, apply: (Bool) -> Void) {
        switch argument {
        case "on": apply(true)
        case "off": apply(false)
        case "": printInfo(":\(command.rawValue) is \(isOn(command) ? "on" : "off")")
        default: printError("usage: \(command.usage)")
        }
    }

    private func isOn(_ command: ReplCommand) -> Bool {
        command == .auto ? background.auto : interpreter.traceScheduler
    }

    private func setClock(_ argument: String) {
        if argument.isEmpty { return printInfo("the clock is \(interpreter.clock.rawValue)") }
        guard let kind = ClockKind(rawValue: argument) else {
            return printError("usage: \(ReplCommand.clock.usage)")
        }
        interpreter.clock = kind
    }

    private func showHelp() {
        let width = ReplCommand.allCases.map(\.usage.count).max() ?? 0
        for command in ReplCommand.allCases {
            let padding = String(repeating: " ", count: width - command.usage.count + 2)
            printInfo("  " + style.emphasis(command.usage) + padding + command.summary)
        }
        printInfo("Ctrl-C stops the input, pauses a busy background task, or clears the line;")
        printInfo("Ctrl-D on an empty line leaves. A # comment may follow any command.")
    }

    private func load(path: String) {
        guard !path.isEmpty else { return printError("usage: :load FILE") }
        switch SourceReader.read(path: path) {
        case .failure(let failure): printError(failure.message)
        case .success(let source):
            if runInForeground({ interpreter.load(source, file: path) }) == .ok { accept(source) }
        }
    }

    private func disassemble(name: String) {
        guard !name.isEmpty else { return printError("usage: :dis NAME") }
        guard let listing = interpreter.disassembleGlobal(named: name) else {
            return printError("no function named '\(name)'")
        }
        Output.writeStdout(listing.hasSuffix("\n") ? listing : listing + "\n")
    }

    /// `:timeline`: the chart of what the session's tasks did so far (stderr); `:timeline FILE.svg`
    /// writes it as SVG; `:timeline clear` forgets the recorded events and starts afresh.
    private func timeline(_ argument: String) {
        switch argument {
        case "": Output.writeStderr(interpreter.timelineText())
        case "clear":
            interpreter.clearSchedulerEvents()
            printInfo("timeline cleared")
        case let path where path.hasSuffix(".svg"):
            if TeachingTools.write(interpreter.timelineSVG(title: "Timeline of a REPL session"), to: path) {
                printInfo("wrote \(path)")
            }
        default: printError("usage: \(ReplCommand.timeline.usage)")
        }
    }

    private func reset() {
        interpreter.reset()
        interpreter.recordsSchedulerEvents = true
        forgetAcceptedInputs()
        printInfo("session reset")
    }

    private func save(path: String) {
        guard !path.isEmpty else { return printError("usage: :save FILE") }
        let script = accepted.map { $0 + "\n" }.joined()
        if let reason = FileWriter.write(script, to: path) {
            printError("colang: cannot write '\(path)': \(reason)")
        } else {
            printInfo("saved \(accepted.count) input\(accepted.count == 1 ? "" : "s") to \(path)")
        }
    }
}
