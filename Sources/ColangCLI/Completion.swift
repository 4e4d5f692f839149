// Tab completion for readline: keywords, globals, members after `.`, and `:commands` at line start.
import CoLang
import CReadline
import FoundationEssentials
import Glibc

enum Completion {
    /// The session's current globals; set by the REPL.
    static var globalNames: () -> [String] = { [] }
    /// The members of a global's value (`nil`: no such global); set by the REPL.
    static var membersOfGlobal: (String) -> [String]? = { _ in nil }

    /// Characters that end the word being completed; `:` is not one, so `:lo` completes as a whole.
    private static let wordBreaks = UnsafePointer(strdup(" \t\n\"'`@$><=;|&{}()[],+-*/%!."))
    /// Matches of the current attempt, handed out one by one to readline's generator.
    private static var matches: [String] = []
    private static var nextMatch = 0

    static func install() {
        rl_attempted_completion_function = attempt
        rl_completer_word_break_characters = wordBreaks
        rl_basic_word_break_characters = wordBreaks
    }

    /// Candidates for the word `text` that starts at byte `start` of `line`; `nil` means "file names".
    static func candidates(line: [UInt8], start: Int, text: String) -> [String]? {
        let before = String(decoding: line.prefix(start), as: UTF8.self)
        let leading = before.drop { $0 == " " || $0 == "\t" }
        if leading.hasPrefix(":load ") || leading.hasPrefix(":save ") { return nil }
        let pool: [String]
        if leading.isEmpty && text.hasPrefix(":") {
            pool = ReplCommand.allCases.map { ":" + $0.rawValue }
        } else if before.last == "." {
            pool = receiver(before.dropLast()).flatMap(membersOfGlobal) ?? Interpreter.memberNames
        } else {
            pool = Interpreter.keywords + globalNames()
        }
        return Array(Set(pool.filter { $0.hasPrefix(text) })).sorted()
    }

    /// The global named just before a `.` (`xs` in `print(xs.`), or nil when what comes before
    /// the `.` is not a plain name (`f().`, `a.b.`, `xs[0].`): its value is not known then.
    static func receiver(_ text: Substring) -> String? {
        let name = text.reversed().prefix { $0 == "_" || $0.isLetter || $0.isNumber }
        guard let first = name.last, !first.isNumber else { return nil }
        let rest = text.dropLast(name.count)
        if let previous = rest.last, previous == "." || previous == ")" || previous == "]" { return nil }
        return String(name.reversed())
    }

    private static let attempt:
        @convention(c) (UnsafePointer<CChar>?, Int32, Int32)
            -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, start, _ in
                guard let text, let buffer = rl_line_buffer else { return nil }
                let line = Array(
                    UnsafeBufferPointer(
                        start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self),
                        count: strlen(buffer)))
                guard let found = candidates(line: line, start: Int(start), text: String(cString: text)) else {
                    return nil  // readline falls back to file names
                }
                rl_attempted_completion_over = 1
                if start > 0 && line[Int(start) - 1] == UInt8(ascii: ".") { rl_completion_append_character = 0 }
                matches = found
                nextMatch = 0
                return rl_completion_matches(text, generate)
            }

    /// readline's generator: each call returns the next match (malloc'd; readline frees it).
    private static let generate: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = { _, _ in
        guard nextMatch < matches.count else { return nil }
        defer { nextMatch += 1 }
        return strdup(matches[nextMatch])
    }
}
