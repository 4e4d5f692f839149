// The parser's entry point, its token cursor, diagnostics, nesting limit and error recovery.

/// Turns CoLang source into statements. Grammar rules live in `Statements.swift` and
/// `Expressions.swift`, one parsing function per rule; `grammar.md` is their EBNF.
public enum Parser {
    /// Deepest nesting of brackets, blocks, `else if` chains and prefix operators combined.
    /// Deeper input gets the diagnostic `too much nesting` instead of exhausting the Swift stack
    /// (the compiler walks the same tree recursively, so this protects it too).
    public static let maxNesting = 200

    /// Parses a whole program or REPL input.
    ///
    /// Returns every statement that parsed and every lexical and syntax error, sorted by position.
    /// A diagnostic with `isIncomplete` means the input ended too early (inside an open bracket,
    /// block or string, or after an operator); when all of them are, a REPL should read more.
    public static func parse(source: String, file: String) -> (program: [Stmt], diagnostics: [Diagnostic]) {
        parse(bytes: Array(source.utf8), file: file)
    }

    /// Like `parse(source:file:)` for raw bytes: invalid UTF-8 is reported, never repaired silently.
    public static func parse(bytes: [UInt8], file: String) -> (program: [Stmt], diagnostics: [Diagnostic]) {
        var lexer = Lexer(bytes: bytes, file: file)
        let (tokens, lexDiagnostics) = lexer.tokenize()
        let parser = TokenParser(tokens: tokens, file: file)
        let program = parser.parseProgram()
        return (program, sortedByPosition(lexDiagnostics + parser.diagnostics))
    }

    private static func sortedByPosition(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            let (la, lb) = (a.element.loc, b.element.loc)
            if la.line != lb.line { return la.line < lb.line }
            if la.column != lb.column { return la.column < lb.column }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// Thrown after a syntax error has been recorded: the statement is abandoned and the parser
/// resynchronises at the next statement boundary.
struct SyntaxError: Error {}

/// Thrown when the input nests too deeply: parsing stops altogether.
struct NestingTooDeep: Error {}

/// The state of one parse: tokens, cursor, diagnostics and the current context.
final class TokenParser {
    private(set) var tokens: [Token]
    private(set) var pos = 0
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    private var depth = 0
    /// True inside a map literal, where newlines mean nothing (the lexer cannot tell maps from blocks).
    private var ignoresNewlines = false
    /// True while parsing the tokens of a `${ }`, whose `.eof` is the closing `}`, not the end of input.
    private(set) var inInterpolation = false
    private var reportedEndOfInput = false
    private var lastErrorLoc: SourceLoc?

    init(tokens: [Token], file: String) {
        self.tokens = tokens
        self.file = file
    }
}

// MARK: - Cursor

extension TokenParser {
    var current: Token {
        pos < tokens.count ? tokens[pos] : Token(kind: .eof, loc: tokens.last?.loc ?? .unknown)
    }

    /// The token after the current one (after the current one's newlines, inside a map literal).
    var next: Token {
        var index = pos + 1
        while ignoresNewlines && index < tokens.count && tokens[index].kind == .newline { index += 1 }
        return index < tokens.count ? tokens[index] : Token(kind: .eof, loc: current.loc)
    }

    func check(_ kind: TokenKind) -> Bool { current.kind == kind }

    /// At the real end of the input (not the end of an interpolation's tokens).
    var atEndOfInput: Bool { current.kind == .eof && !inInterpolation }

    /// Consumes and returns the current token (never moving past `.eof`).
    @discardableResult
    func advance() -> Token {
        let token = current
        if pos < tokens.count - 1 { pos += 1 }
        if ignoresNewlines { skipNewlines() }
        return token
    }

    func match(_ kind: TokenKind) -> Token? {
        check(kind) ? advance() : nil
    }

    /// Consumes a token of `kind`, or reports "`message`, found X".
    @discardableResult
    func expect(_ kind: TokenKind, _ message: String) throws -> Token {
        if let token = match(kind) { return token }
        throw fail(message)
    }

    /// Consumes the closer of `opener`; at the end of input reports the opener as never closed.
    @discardableResult
    func expectClosing(_ kind: TokenKind, opener: Token, _ message: String) throws -> Token {
        if let token = match(kind) { return token }
        if atEndOfInput { throw unclosed(opener) }
        throw fail(message)
    }

    func skipNewlines() {
        while current.kind == .newline && pos < tokens.count - 1 { pos += 1 }
    }

    /// Skips newlines and `;` between statements.
    func skipSeparators() {
        while (check(.newline) || check(.semicolon)) && pos < tokens.count - 1 { pos += 1 }
    }

    /// True if the current token is `kind`, possibly after one newline (which is then skipped):
    /// how `}` newline `else` continues an `if`.
    func continues(with kind: TokenKind) -> Bool {
        if check(kind) { return true }
        guard check(.newline), next.kind == kind else { return false }
        advance()
        return true
    }

    /// Runs `body` with newlines ignored (map literals) or significant (blocks inside them).
    func withNewlines(ignored: Bool, _ body: () throws -> Void) rethrows {
        let saved = ignoresNewlines
        ignoresNewlines = ignored
        if ignored { skipNewlines() }
        defer {
            ignoresNewlines = saved
            if saved { skipNewlines() }
        }
        try body()
    }

    /// Parses `body` over the tokens of an interpolation, then restores the outer tokens.
    func withTokens<T>(_ inner: [Token], _ body: () throws -> T) rethrows -> T {
        let saved = (tokens, pos, ignoresNewlines, inInterpolation)
        tokens = inner.isEmpty ? [Token(kind: .eof, loc: current.loc)] : inner
        pos = 0
        ignoresNewlines = false
        inInterpolation = true
        defer { (tokens, pos, ignoresNewlines, inInterpolation) = saved }
        return try body()
    }
}

// MARK: - Nesting

extension TokenParser {
    /// Enters one level of nesting; pair with `defer { leave() }`. Operator chains such as
    /// `a + b + c` or `f()()` enter once per operator too: they are loops here, but their trees are
    /// as deep as the chain is long, and the compiler recurses over trees.
    func enter() throws {
        depth += 1
        guard depth <= Parser.maxNesting else {
            report("too much nesting", at: current.loc, incomplete: false)
            throw NestingTooDeep()
        }
    }

    func leave(_ levels: Int = 1) { depth -= levels }
}

// MARK: - Diagnostics and recovery

extension TokenParser {
    /// Records "`message`, found X" at the current token and returns the error to throw.
    /// Nothing is recorded at an `.error` token: the lexer already explained it.
    func fail(_ message: String) -> SyntaxError {
        let token = current
        if case .error = token.kind { return SyntaxError() }
        return fail(message + ", found " + describe(token), at: token.loc, incomplete: atEndOfInput)
    }

    /// Records `message` exactly as given at `loc`.
    func fail(_ message: String, at loc: SourceLoc, incomplete: Bool = false) -> SyntaxError {
        report(message, at: loc, incomplete: incomplete)
        return SyntaxError()
    }

    /// The input ended inside `opener`'s bracket or block.
    func unclosed(_ opener: Token) -> SyntaxError {
        report("'\(opener.kind.spelling)' was never closed", at: opener.loc, incomplete: true)
        return SyntaxError()
    }

    /// Records a diagnostic unless it repeats the previous position or a second end-of-input error.
    func report(_ message: String, at loc: SourceLoc, incomplete: Bool) {
        if incomplete && reportedEndOfInput { return }
        if loc == lastErrorLoc { return }
        reportedEndOfInput = reportedEndOfInput || incomplete
        lastErrorLoc = loc
        diagnostics.append(Diagnostic(file: file, loc: loc, message: message, isIncomplete: incomplete))
    }

    /// How a token is named in messages: `'x'`, `'+='`, `end of line`, `end of input`, `a string`.
    func describe(_ token: Token) -> String {
        switch token.kind {
        case .eof: return inInterpolation ? "'}'" : "end of input"
        case .newline: return "end of line"
        case .string, .interpolated: return "a string"
        case .error: return "an invalid token"
        default: return "'\(token.kind.spelling)'"
        }
    }

    /// After an error in the statement that began at token `start`: skips to the next newline or
    /// `;` outside brackets, or to the `}` closing the enclosing block (left for the block to consume).
    func synchronize(from start: Int) {
        var open = BracketStack()
        for token in tokens[min(start, pos)..<pos] { open.track(token.kind) }
        while !check(.eof) {
            switch current.kind {
            case .newline where open.isEmpty:
                // `}` newline `else` / `catch` / `finally` still belongs to the abandoned statement.
                if next.kind != .kwElse && next.kind != .kwCatch && next.kind != .kwFinally { return }
            case .semicolon where open.isEmpty:
                return
            case .rBrace where !open.contains(.lBrace):
                return
            default:
                open.track(current.kind)
            }
            pos += 1
        }
    }
}
