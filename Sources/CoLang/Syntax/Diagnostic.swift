// One type renders every user-facing error location: file:line:column, the line, and a caret.

/// A located message about the user's program.
public struct Diagnostic: Error, Equatable, Sendable {
    public var file: String
    public var loc: SourceLoc
    public var message: String
    /// True when the error is only that the input ended too early (an open bracket, block or
    /// string): the REPL uses this to ask for a continuation line.
    public var isIncomplete: Bool

    public init(file: String, loc: SourceLoc, message: String, isIncomplete: Bool = false) {
        self.file = file; self.loc = loc; self.message = message; self.isIncomplete = isIncomplete
    }

    /// `file:line:col: error: message`, then the source line and a caret under the column.
    public func render(source: SourceText) -> String {
        var out = "\(file):\(loc.line):\(loc.column): error: \(message)\n"
        out += Diagnostic.excerpt(source: source, loc: loc)
        return out
    }

    /// The source line at `loc` (tabs kept) and a caret line, each indented; empty when unknown.
    public static func excerpt(source: SourceText, loc: SourceLoc) -> String {
        guard let line = source.line(loc.line) else { return "" }
        let num = String(loc.line)
        let pad = String(repeating: " ", count: num.count)
        var caret = ""
        var col = 1
        for ch in line.unicodeScalars {
            if col >= loc.column { break }
            caret.append(ch == "\t" ? "\t" : " ")
            col += 1
        }
        return " \(num) | \(line)\n \(pad) | \(caret)^\n"
    }
}

/// Source text split into lines once, for excerpts in diagnostics and tracebacks.
public final class SourceText: Sendable {
    public let name: String
    public let text: String
    private let lines: [Substring]

    public init(name: String, text: String) {
        self.name = name
        self.text = text
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The 1-based line `n` without its newline (and without a trailing `\r`), if it exists.
    public func line(_ n: Int) -> String? {
        guard n >= 1, n <= lines.count else { return nil }
        var s = String(lines[n - 1])
        if s.hasSuffix("\r") { s.removeLast() }
        // A very long line is cut so one diagnostic stays readable.
        if s.unicodeScalars.count > 200 { s = String(String.UnicodeScalarView(s.unicodeScalars.prefix(200))) + "…" }
        return s
    }
}
