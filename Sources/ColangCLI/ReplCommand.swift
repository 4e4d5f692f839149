// The REPL's `:commands` (README.md, "REPL tour"): their names, arguments and one-line help.
import FoundationEssentials
import Glibc

enum ReplCommand: String, CaseIterable {
    case help, quit, load, tasks, step, run, auto, clock, dis, trace, timeline, record, reset, save

    /// How the command is written, for `:help`.
    var usage: String {
        switch self {
        case .load: return ":load FILE"
        case .step: return ":step [N] [-v]"
        case .auto: return ":auto on|off"
        case .clock: return ":clock real|virtual"
        case .dis: return ":dis NAME"
        case .trace: return ":trace on|off"
        case .save: return ":save FILE"
        case .timeline: return ":timeline [FILE.svg|clear]"
        case .record: return ":record [FILE.html|off]"
        case .help, .quit, .tasks, .run, .reset: return ":" + rawValue
        }
    }

    var summary: String {
        switch self {
        case .help: return "list these commands"
        case .quit: return "leave the REPL (Ctrl-D also does)"
        case .load: return "run a file here, keeping its definitions"
        case .tasks: return "list tasks: status, waits, switches, time run"
        case .step: return "run N scheduler steps: who ran, why it stopped"
        case .run: return "run background tasks until none is ready"
        case .auto: return "run background tasks while you type, or hold them"
        case .clock: return "switch the clock"
        case .dis: return "show the bytecode of function NAME"
        case .trace: return "print every scheduler event"
        case .timeline: return "chart which task ran when (text, or an SVG file)"
        case .record: return "record every step from now on as an HTML replay"
        case .reset: return "forget every global, task and object"
        case .save: return "write this session's accepted inputs as a script"
        }
    }

    /// Splits `:name rest` into the command and its argument text; `nil` if `line` is not a command.
    /// A `#` that starts the line's text after the name, or follows a space, begins a comment.
    static func parse(_ line: String) -> (name: String, argument: String)? {
        let trimmed = line.trimmingWhitespace()
        guard trimmed.hasPrefix(":") else { return nil }
        let body = trimmed.dropFirst()
        let name = body.prefix { !$0.isWhitespace && $0 != "#" }
        var argument = Substring(" ") + body.dropFirst(name.count)
        var previous: Character = " "
        if let hash = argument.indices.first(where: { index in
            defer { previous = argument[index] }
            return argument[index] == "#" && previous.isWhitespace
        }) {
            argument = argument[..<hash]
        }
        return (String(name), String(argument).trimmingWhitespace())
    }
}
