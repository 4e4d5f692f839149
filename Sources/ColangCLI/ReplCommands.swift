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
        case .record: record(argument)
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

    /// `:record FILE.html` records every step from now on into FILE.html, rewritten after each
    /// input (so it always holds the session so far); `:record off` stops; `:record` says
    /// whether a recording is being made.
    private func record(_ argument: String) {
        switch argument {
        case "":
            if let path = recordPath, interpreter.isRecording {
                printInfo("recording to \(path): \(interpreter.recordedSteps ?? 0) steps so far (:record off stops)")
            } else {
                printInfo("not recording (:record FILE.html starts)")
            }
        case "off":
            guard let path = recordPath else { return printInfo("not recording") }
            interpreter.stopRecording()
            saveRecording()
            recordPath = nil
            printInfo("stopped: \(interpreter.recordedSteps ?? 0) steps in \(path)")
        case let path where ArgumentSplit.fileExtension(path).map({ ["html", "htm"].contains($0.lowercased()) }) ?? false:
            startRecording(to: path)
        default: printError("usage: \(ReplCommand.record.usage) (the file must end in .html)")
        }
    }

    /// Starts a recording into `path` and writes the (empty) page at once, so a path that
    /// cannot be written is reported now.
    func startRecording(to path: String) {
        interpreter.startRecording()
        recordPath = path
        guard saveRecording() else {
            interpreter.stopRecording()
            recordPath = nil
            return
        }
        printInfo("recording every step to \(path); it is rewritten after each input (:record off stops)")
    }

    /// Writes the recording so far to `recordPath`; false when it cannot be written (said on stderr).
    @discardableResult
    func saveRecording() -> Bool {
        guard let path = recordPath, let html = interpreter.recordingHTML(title: "REPL session") else { return true }
        if interpreter.recordingIsTruncated && interpreter.isRecording == false && !warnedFull {
            warnedFull = true
            printInfo("the recording in \(path) is full: it keeps the first \(interpreter.recordedSteps ?? 0) steps")
        }
        if let reason = FileWriter.write(html, to: path) {
            printError("colang: cannot write '\(path)': \(reason)")
            return false
        }
        return true
    }

    private func reset() {
        if let path = recordPath {
            interpreter.stopRecording()
            saveRecording()
            recordPath = nil
            printInfo("recording stopped: \(path) keeps the session before the reset")
        }
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
