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
    /// A long line is cut to a window of `excerptWidth` characters around the column, with `…`
    /// where text was left out, so the caret always points at a character that is shown.
    public static func excerpt(source: SourceText, loc: SourceLoc) -> String {
        guard let full = source.fullLine(loc.line) else { return "" }
        let (line, column) = window(full, column: loc.column)
        let num = String(loc.line)
        let pad = String(repeating: " ", count: num.count)
        var caret = ""
        var col = 1
        for ch in line.unicodeScalars {
            if col >= column { break }
            caret.append(ch == "\t" ? "\t" : " ")
            col += 1
        }
        return " \(num) | \(line)\n \(pad) | \(caret)^\n"
    }

    /// How many characters of a source line an excerpt shows at most.
    public static let excerptWidth = 200

    /// At most `excerptWidth` characters of `line` around `column` (1-based, in code points),
    /// with `…` marking a cut at either end, and where `column` falls in the result.
    static func window(_ line: Substring, column: Int) -> (text: String, column: Int) {
        let scalars = line.unicodeScalars
        let width = excerptWidth
        guard let limit = scalars.index(scalars.startIndex, offsetBy: width, limitedBy: scalars.endIndex),
            limit != scalars.endIndex
        else { return (visible(scalars[...]), column) }
        var start = 0
        if column - 1 > width - 40 {  // the column is near or past the end of the first window
            let total = scalars.count
            start = max(0, min(column - 1 - width / 2, total - width))
        }
        let lower = scalars.index(scalars.startIndex, offsetBy: start)
        let upper = scalars.index(lower, offsetBy: width)
        var text = visible(scalars[lower..<upper])
        var shifted = column - start
        if start > 0 { text = "…" + text; shifted += 1 }
        if upper != scalars.endIndex { text += "…" }
        return (text, shifted)
    }

    /// The characters with control characters other than tab shown as their Unicode control
    /// pictures (NUL as `␀`, ESC as `␛`): a raw NUL would cut the report short when written
    /// with C string functions, and a raw escape sequence would repaint the learner's terminal.
    static func visible(_ scalars: Substring.UnicodeScalarView) -> String {
        var out = String.UnicodeScalarView()
        for scalar in scalars {
            switch scalar.value {
            case 0x09: out.append(scalar)
            case 0x00..<0x20: out.append(Unicode.Scalar(0x2400 + scalar.value) ?? "\u{FFFD}")
            case 0x7F: out.append("\u{2421}")
            default: out.append(scalar)
            }
        }
        return String(out)
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
        // Split on the scalar, not the Character: "\r\n" is one Character and would not split.
        self.lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map(Substring.init)
    }

    /// The whole 1-based line `n` without its newline and trailing `\r`, however long.
    func fullLine(_ n: Int) -> Substring? {
        guard n >= 1, n <= lines.count else { return nil }
        let s = lines[n - 1]
        guard s.unicodeScalars.last == "\r" else { return s }
        return Substring(s.unicodeScalars.dropLast())
    }

    /// The 1-based line `n` without its newline (and without a trailing `\r`), if it exists.
    public func line(_ n: Int) -> String? {
        guard let full = fullLine(n) else { return nil }
        var s = String(full)
        // A very long line is cut so one diagnostic stays readable.
        let width = Diagnostic.excerptWidth
        if s.unicodeScalars.count > width { s = String(String.UnicodeScalarView(s.unicodeScalars.prefix(width))) + "…" }
        return s
    }
}
