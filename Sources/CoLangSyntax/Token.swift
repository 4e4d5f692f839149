// Tokens produced by the lexer, and source positions shared by every later stage.

/// A 1-based line and column (columns count Unicode code points) in a source file.
public struct SourceLoc: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    public static let unknown = SourceLoc(line: 0, column: 0)
    public var description: String { "\(line):\(column)" }
}

/// The kinds of token CoLang's lexer produces.
public enum TokenKind: Equatable, Sendable {
    // literals and names
    case identifier(String)
    case int(Int64)
    case float(Double)
    /// A string literal without interpolation (escapes already decoded).
    case string(String)
    /// A string literal with `${...}` parts; the parser receives the pieces already split.
    case interpolated([InterpolationPiece])

    // keywords
    case kwLet, kwFn, kwReturn, kwIf, kwElse, kwWhile, kwFor, kwIn, kwBreak, kwContinue
    case kwTrue, kwFalse, kwNil, kwAnd, kwOr, kwNot, kwYield, kwFrom, kwSpawn
    case kwTry, kwCatch, kwFinally, kwThrow

    // punctuation and operators
    case lParen, rParen, lBracket, rBracket, lBrace, rBrace
    case comma, dot, colon, semicolon
    case plus, minus, star, slash, slashSlash, percent
    case starStar, amp, pipe, caret, tilde, shiftLeft, shiftRight
    case assign, plusAssign, minusAssign, starAssign, slashAssign, slashSlashAssign, percentAssign
    case eq, ne, lt, le, gt, ge

    /// A significant newline (statement terminator).
    case newline
    case eof
    /// A lexical error; the lexer also records a diagnostic.
    case error(String)
}

/// One piece of an interpolated string: literal text or the source of an embedded expression.
public enum InterpolationPiece: Equatable, Sendable {
    case text(String)
    /// The tokens of the expression inside `${ ... }`, ending with `.eof`.
    case expr([Token])
}

/// A token with its position.
public struct Token: Equatable, Sendable {
    public var kind: TokenKind
    public var loc: SourceLoc
    public init(kind: TokenKind, loc: SourceLoc) { self.kind = kind; self.loc = loc }
}
