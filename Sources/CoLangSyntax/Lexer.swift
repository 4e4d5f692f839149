// The lexer: turns CoLang's UTF-8 source bytes into tokens, applying the newline rules (grammar.md, "Newline rules").

/// Converts UTF-8 source into tokens.
///
/// Lexical errors become diagnostics plus an `.error` token where a token was expected, so the
/// parser can stay silent about them. The lexer never traps, whatever the bytes: invalid UTF-8,
/// NUL bytes and stray characters are all reported as diagnostics.
public struct Lexer {
    /// CoLang's reserved words, in the order of the language contract.
    public static let keywords: [String] = [
        "let", "fn", "return", "if", "else", "while", "for", "in", "break", "continue",
        "true", "false", "nil", "and", "or", "not", "yield", "from", "spawn", "try", "catch", "finally", "throw",
    ]

    static let keywordKinds: [String: TokenKind] = [
        "let": .kwLet, "fn": .kwFn, "return": .kwReturn, "if": .kwIf, "else": .kwElse,
        "while": .kwWhile, "for": .kwFor, "in": .kwIn, "break": .kwBreak, "continue": .kwContinue,
        "true": .kwTrue, "false": .kwFalse, "nil": .kwNil, "and": .kwAnd, "or": .kwOr,
        "not": .kwNot, "yield": .kwYield, "from": .kwFrom, "spawn": .kwSpawn, "try": .kwTry,
        "catch": .kwCatch, "finally": .kwFinally, "throw": .kwThrow,
    ]

    /// Deepest `"${ "${ ... }" }"` nesting before the lexer gives up on the line.
    static let maxInterpolationDepth = 100

    private let bytes: [UInt8]
    private let file: String
    private var pos = 0
    private var line = 1
    private var column = 1
    private var diagnostics: [Diagnostic] = []
    private var interpolationDepth = 0
    /// Set when a line was abandoned (too much nesting); enclosing strings unwind silently.
    private var lineAborted = false

    /// A lexer over the UTF-8 encoding of `source`.
    public init(source: String, file: String) {
        self.init(bytes: Array(source.utf8), file: file)
    }

    /// A lexer over raw bytes, which may be invalid UTF-8 (reported as diagnostics).
    public init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Lexes the whole input. The token list always ends with `.eof`.
    public mutating func tokenize() -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var sink = TokenSink()
        _ = lexTokens(into: &sink, inInterpolation: false)
        sink.tokens.append(Token(kind: .eof, loc: location))
        return (sink.tokens, diagnostics)
    }

    /// Convenience: lexes `source` in one call.
    public static func tokenize(source: String, file: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(source: source, file: file)
        return lexer.tokenize()
    }
}

// MARK: - The token loop

/// How lexing the tokens of a `${ }` (or of the whole file) stopped.
private enum LexEnd {
    /// The `}` closing an interpolation, at this location.
    case closed(SourceLoc)
    case endOfLine
    case endOfInput
    case aborted
}

/// Collects tokens and decides which newlines are significant (grammar.md, "Newline rules").
private struct TokenSink {
    var tokens: [Token] = []
    var brackets = BracketStack()

    mutating func append(_ token: Token) {
        brackets.track(token.kind)
        tokens.append(token)
    }

    /// Adds a newline token unless the newline cannot end a statement here.
    mutating func newline(at loc: SourceLoc) {
        if let open = brackets.innermost, open != .lBrace { return }
        guard let last = tokens.last, !last.kind.continuesOnNextLine else { return }
        tokens.append(Token(kind: .newline, loc: loc))
    }
}

/// The open `(`, `[` and `{` at a point in the token stream. The lexer and the parser's error
/// recovery share it so that they agree on which bracket a closer closes.
struct BracketStack {
    private var open: [TokenKind] = []

    var innermost: TokenKind? { open.last }
    var isEmpty: Bool { open.isEmpty }
    func contains(_ opener: TokenKind) -> Bool { open.contains(opener) }

    mutating func track(_ kind: TokenKind) {
        switch kind {
        case .lParen, .lBracket, .lBrace: open.append(kind)
        case .rParen: close(.lParen)
        case .rBracket: close(.lBracket)
        case .rBrace: close(.lBrace)
        default: break
        }
    }

    /// Pops up to the nearest matching opener, or just the innermost one when none matches
    /// (so after `(1 + ]` newlines count again and the parser can recover at the next line).
    private mutating func close(_ opener: TokenKind) {
        if let index = open.lastIndex(of: opener) {
            open.removeSubrange(index...)
        } else if !open.isEmpty {
            open.removeLast()
        }
    }
}

extension TokenKind {
    /// True for tokens that cannot end an expression, so a newline after them is not significant.
    var continuesOnNextLine: Bool {
        switch self {
        case .plus, .minus, .star, .slash, .slashSlash, .percent,
            .starStar, .amp, .pipe, .caret, .tilde, .shiftLeft, .shiftRight,
            .eq, .ne, .lt, .le, .gt, .ge,
            .assign, .plusAssign, .minusAssign, .starAssign, .slashAssign, .slashSlashAssign, .percentAssign,
            .comma, .lParen, .lBracket, .lBrace, .dot, .colon, .semicolon, .newline,
            .kwAnd, .kwOr, .kwNot:
            return true
        default:
            return false
        }
    }
}

extension Lexer {
    private var location: SourceLoc { SourceLoc(line: line, column: column) }

    /// Lexes tokens until the end of input or, inside `${ }`, the closing `}` or the end of the line.
    private mutating func lexTokens(into sink: inout TokenSink, inInterpolation: Bool) -> LexEnd {
        while true {
            if lineAborted { return .aborted }
            skipSpacesAndComments()
            let start = location
            guard let byte = peek() else { return .endOfInput }
            if byte == UInt8(ascii: "\n") {
                if inInterpolation { return .endOfLine }
                advanceByte()
                sink.newline(at: start)
            } else if byte == UInt8(ascii: "}") && inInterpolation && !sink.brackets.contains(.lBrace) {
                advanceByte()
                return .closed(start)
            } else {
                sink.append(lexToken(at: start))
            }
        }
    }

    /// Lexes one token starting at the current (non-space) byte.
    private mutating func lexToken(at start: SourceLoc) -> Token {
        guard let byte = peek() else { return Token(kind: .eof, loc: start) }
        if Lexer.isIdentifierStart(byte) { return lexIdentifier(at: start) }
        if Lexer.isDigit(byte) { return lexNumber(at: start) }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") { return lexString(at: start) }
        if let kind = lexOperator() { return Token(kind: kind, loc: start) }
        return lexInvalidCharacter(at: start)
    }

    private mutating func skipSpacesAndComments() {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0C:
                advanceByte()
            case UInt8(ascii: "#"):
                skipComment()
            default:
                return
            }
        }
    }

    /// Skips to (not past) the end of the line, still reporting bad bytes inside the comment.
    private mutating func skipComment() {
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            if byte < 0x80 {
                if byte == 0 { report("invalid NUL byte in source", at: location) }
                advanceByte()
            } else {
                _ = consumeScalar()
            }
        }
    }

    private mutating func lexIdentifier(at start: SourceLoc) -> Token {
        let begin = pos
        while let byte = peek(), Lexer.isIdentifierPart(byte) { advanceByte() }
        let text = String(decoding: bytes[begin..<pos], as: UTF8.self)
        return Token(kind: Lexer.keywordKinds[text] ?? .identifier(text), loc: start)
    }

    /// Reports a character that starts no token, with a hint for common habits from other languages.
    private mutating func lexInvalidCharacter(at start: SourceLoc) -> Token {
        let byte = peek() ?? 0
        let message: String
        if byte == 0 {
            advanceByte()
            message = "invalid NUL byte in source"
        } else if byte < 0x80 {
            message = asciiHint(byte)
        } else if let scalar = consumeScalar() {
            message = "unexpected character \(Lexer.describe(scalar))"
        } else {
            return Token(kind: .error("invalid UTF-8"), loc: start)  // consumeScalar reported it
        }
        report(message, at: start)
        return Token(kind: .error(message), loc: start)
    }

    /// Consumes an invalid ASCII character (and its partner for `&&` / `||`) and explains it.
    private mutating func asciiHint(_ byte: UInt8) -> String {
        advanceByte()
        switch byte {
        case UInt8(ascii: "!"): return "unexpected character '!'; use 'not' for negation and '!=' for inequality"
        case UInt8(ascii: "&") where peek() == byte: advanceByte(); return "unexpected '&&'; use 'and'"
        case UInt8(ascii: "|") where peek() == byte: advanceByte(); return "unexpected '||'; use 'or'"
        default:
            if byte < 0x20 || byte == 0x7F { return "unexpected control character U+\(Lexer.hex(UInt32(byte)))" }
            return "unexpected character '\(Character(Unicode.Scalar(byte)))'"
        }
    }
}

// MARK: - Operators

extension Lexer {
    /// Lexes punctuation and operators, longest match first; `nil` when the byte starts none.
    private mutating func lexOperator() -> TokenKind? {
        guard let byte = peek() else { return nil }
        if let single = Lexer.singleCharTokens[byte] {
            advanceByte()
            return single
        }
        switch byte {
        case UInt8(ascii: "+"): return withEquals(.plus, .plusAssign)
        case UInt8(ascii: "-"): return withEquals(.minus, .minusAssign)
        case UInt8(ascii: "*"):
            if peek(1) == UInt8(ascii: "*") { advanceByte(); advanceByte(); return .starStar }
            return withEquals(.star, .starAssign)
        case UInt8(ascii: "%"): return withEquals(.percent, .percentAssign)
        case UInt8(ascii: "="): return withEquals(.assign, .eq)
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "<") { advanceByte(); advanceByte(); return .shiftLeft }
            return withEquals(.lt, .le)
        case UInt8(ascii: ">"):
            if peek(1) == UInt8(ascii: ">") { advanceByte(); advanceByte(); return .shiftRight }
            return withEquals(.gt, .ge)
        // `&&` and `||` are not operators: lexInvalidCharacter explains them.
        case UInt8(ascii: "&") where peek(1) != UInt8(ascii: "&"): advanceByte(); return .amp
        case UInt8(ascii: "|") where peek(1) != UInt8(ascii: "|"): advanceByte(); return .pipe
        case UInt8(ascii: "^"): advanceByte(); return .caret
        case UInt8(ascii: "~"): advanceByte(); return .tilde
        case UInt8(ascii: "/"):
            if peek(1) == UInt8(ascii: "/") {
                advanceByte()
                return withEquals(.slashSlash, .slashSlashAssign)
            }
            return withEquals(.slash, .slashAssign)
        case UInt8(ascii: "!") where peek(1) == UInt8(ascii: "="):
            advanceByte()
            advanceByte()
            return .ne
        default:
            return nil
        }
    }

    private static let singleCharTokens: [UInt8: TokenKind] = [
        UInt8(ascii: "("): .lParen, UInt8(ascii: ")"): .rParen,
        UInt8(ascii: "["): .lBracket, UInt8(ascii: "]"): .rBracket,
        UInt8(ascii: "{"): .lBrace, UInt8(ascii: "}"): .rBrace,
        UInt8(ascii: ","): .comma, UInt8(ascii: "."): .dot,
        UInt8(ascii: ":"): .colon, UInt8(ascii: ";"): .semicolon,
    ]

    /// Consumes the operator's first byte, and a following `=` if there is one.
    private mutating func withEquals(_ plain: TokenKind, _ equals: TokenKind) -> TokenKind {
        advanceByte()
        guard peek() == UInt8(ascii: "=") else { return plain }
        advanceByte()
        return equals
    }
}

// MARK: - Numbers

extension Lexer {
    /// Lexes `42`, `1_000`, `0xff`, `3.14`, `1e9`, `2.5e-3`; anything glued on is an invalid literal.
    private mutating func lexNumber(at start: SourceLoc) -> Token {
        let begin = pos
        var isHex = false
        var isFloat = false
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            isHex = true
            advanceByte()
            advanceByte()
            while let byte = peek(), Lexer.isHexDigit(byte) || byte == UInt8(ascii: "_") { advanceByte() }
        } else {
            skipDigits()
            isFloat = lexFraction()
            isFloat = lexExponent() || isFloat
        }
        while let byte = peek(), Lexer.isIdentifierPart(byte) { advanceByte() }
        let text = String(decoding: bytes[begin..<pos], as: UTF8.self)
        let kind = Lexer.numberKind(text, isHex: isHex, isFloat: isFloat)
        if case .error(let message) = kind { report(message, at: start) }
        return Token(kind: kind, loc: start)
    }

    private mutating func skipDigits() {
        while let byte = peek(), Lexer.isDigit(byte) || byte == UInt8(ascii: "_") { advanceByte() }
    }

    /// `.digits`, only when a digit follows the dot (so `1.foo` stays a field access).
    private mutating func lexFraction() -> Bool {
        guard peek() == UInt8(ascii: "."), let next = peek(1), Lexer.isDigit(next) else { return false }
        advanceByte()
        skipDigits()
        return true
    }

    /// `e9`, `e-3`, `E+10`, only when digits follow.
    private mutating func lexExponent() -> Bool {
        guard let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") else { return false }
        var offset = 1
        if let sign = peek(1), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { offset = 2 }
        guard let digit = peek(offset), Lexer.isDigit(digit) else { return false }
        for _ in 0..<offset { advanceByte() }
        skipDigits()
        return true
    }

    /// The token for a number's text: its value or an `.error` with the message to report.
    static func numberKind(_ text: String, isHex: Bool, isFloat: Bool) -> TokenKind {
        let invalid = TokenKind.error("invalid number literal '\(text)'")
        guard underscoresAreBetweenDigits(text, isHex: isHex) else { return invalid }
        let digits = text.replacingUnderscores()
        if isFloat {
            guard let value = Double(digits) else { return invalid }
            return .float(value)
        }
        let body = isHex ? String(digits.dropFirst(2)) : digits
        let validDigit: (Character) -> Bool = isHex ? { $0.isHexDigit } : { $0.isASCII && $0.isNumber }
        guard !body.isEmpty, body.allSatisfy(validDigit) else { return invalid }
        guard let value = Int64(body, radix: isHex ? 16 : 10) else {
            return .error("integer literal is too large")
        }
        return .int(value)
    }

    /// Every `_` must be followed by a digit (`1_000` but not `1_`, `1__0` or `1_.5`).
    private static func underscoresAreBetweenDigits(_ text: String, isHex: Bool) -> Bool {
        let chars = Array(text.utf8)
        for (i, byte) in chars.enumerated() where byte == UInt8(ascii: "_") {
            guard i + 1 < chars.count else { return false }
            let next = chars[i + 1]
            if !(isHex ? isHexDigit(next) : isDigit(next)) { return false }
        }
        return true
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

// MARK: - Strings

extension Lexer {
    /// Lexes a string literal with either quote, its escapes and `${ }` interpolations.
    private mutating func lexString(at start: SourceLoc) -> Token {
        guard let quote = peek() else { return Token(kind: .eof, loc: start) }
        advanceByte()
        var pieces: [InterpolationPiece] = []
        var text = ""
        var interpolated = false
        while true {
            guard let byte = peek() else { return unterminated(at: start, incomplete: true) }
            if byte == UInt8(ascii: "\n") { return unterminated(at: start, incomplete: false) }
            if byte == quote {
                advanceByte()
                break
            }
            if byte == UInt8(ascii: "$") && peek(1) == UInt8(ascii: "{") {
                interpolated = true
                if !text.isEmpty { pieces.append(.text(text)) }
                text = ""
                guard let piece = lexInterpolation() else {
                    if lineAborted { return abandonedString(at: start) }
                    continue  // the loop now sees the end of line or input and reports it
                }
                pieces.append(piece)
            } else if byte == UInt8(ascii: "\\") {
                lexEscape(into: &text)
            } else {
                appendRawCharacter(to: &text)
            }
        }
        guard interpolated else { return Token(kind: .string(text), loc: start) }
        if !text.isEmpty { pieces.append(.text(text)) }
        return Token(kind: .interpolated(pieces), loc: start)
    }

    private mutating func unterminated(at start: SourceLoc, incomplete: Bool) -> Token {
        report("unterminated string", at: start, incomplete: false)  // a string cannot span lines: more input never completes it
        return Token(kind: .error("unterminated string"), loc: start)
    }

    /// A string whose line was abandoned; the outermost string clears the flag.
    private mutating func abandonedString(at start: SourceLoc) -> Token {
        if interpolationDepth == 0 { lineAborted = false }
        return Token(kind: .error("too much nesting"), loc: start)
    }

    /// Appends one source character (reporting NUL and invalid UTF-8) to a string's text.
    private mutating func appendRawCharacter(to text: inout String) {
        if peek() == 0 {
            report("invalid NUL byte in source", at: location)
            advanceByte()
        } else if let scalar = consumeScalar() {
            text.unicodeScalars.append(scalar)
        }
    }

    /// Lexes the expression inside `${ }` as its own token list ending in `.eof` (at the `}`).
    /// Returns `nil` when the line or input ends first, or the line was abandoned.
    private mutating func lexInterpolation() -> InterpolationPiece? {
        let start = location
        if interpolationDepth >= Lexer.maxInterpolationDepth {
            report("too much nesting", at: start)
            while let byte = peek(), byte != UInt8(ascii: "\n") { advanceByte() }
            lineAborted = true
            return nil
        }
        advanceByte()  // $
        advanceByte()  // {
        interpolationDepth += 1
        defer { interpolationDepth -= 1 }
        var sink = TokenSink()
        guard case .closed(let end) = lexTokens(into: &sink, inInterpolation: true) else { return nil }
        sink.tokens.append(Token(kind: .eof, loc: end))
        return .expr(sink.tokens)
    }

    /// Decodes the escape sequence at a backslash into `text`.
    private mutating func lexEscape(into text: inout String) {
        let start = location
        advanceByte()  // the backslash
        guard let byte = peek(), byte != UInt8(ascii: "\n") else { return }  // unterminated, reported by the caller
        if let simple = Lexer.simpleEscapes[byte] {
            advanceByte()
            text.unicodeScalars.append(simple)
        } else if byte == UInt8(ascii: "u") {
            advanceByte()
            if let scalar = lexUnicodeEscape(at: start) { text.unicodeScalars.append(scalar) }
        } else if let scalar = consumeScalar() {
            let shown = scalar.value < 0x20 ? "U+\(Lexer.hex(scalar.value))" : "'\\\(Character(scalar))'"
            report("invalid escape sequence \(shown)", at: start)
        }
    }

    private static let simpleEscapes: [UInt8: Unicode.Scalar] = [
        UInt8(ascii: "n"): "\n", UInt8(ascii: "t"): "\t", UInt8(ascii: "r"): "\r",
        UInt8(ascii: "\\"): "\\", UInt8(ascii: "\""): "\"", UInt8(ascii: "'"): "'",
        UInt8(ascii: "0"): "\0", UInt8(ascii: "$"): "$",
    ]

    /// Lexes `{1F600}` after `\u`.
    private mutating func lexUnicodeEscape(at start: SourceLoc) -> Unicode.Scalar? {
        let malformed = "invalid unicode escape; write it as \\u{1F600} with 1 to 6 hex digits"
        guard peek() == UInt8(ascii: "{") else {
            if peek() != nil { report(malformed, at: start) }
            return nil
        }
        advanceByte()
        var value: UInt32 = 0
        var count = 0
        while let byte = peek(), let digit = Lexer.hexValue(byte) {
            advanceByte()
            count += 1
            if count <= 6 { value = value * 16 + digit }
        }
        guard count >= 1, count <= 6, peek() == UInt8(ascii: "}") else {
            // Cut off by the end of the input: only the unterminated string is worth reporting.
            if peek() != nil { report(malformed, at: start) }
            return nil
        }
        advanceByte()
        guard let scalar = Unicode.Scalar(value) else {
            report("'\\u{\(Lexer.hex(value))}' is not a valid Unicode code point", at: start)
            return nil
        }
        return scalar
    }
}

// MARK: - Bytes, UTF-8 and positions

extension Lexer {
    private func peek(_ offset: Int = 0) -> UInt8? {
        let index = pos + offset
        return index < bytes.count ? bytes[index] : nil
    }

    /// Consumes one byte; only call it on ASCII bytes, which are one column each.
    private mutating func advanceByte() {
        guard pos < bytes.count else { return }
        if bytes[pos] == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else {
            column += 1
        }
        pos += 1
    }

    /// Consumes one character (one column). Invalid UTF-8 is reported and skipped byte by byte.
    private mutating func consumeScalar() -> Unicode.Scalar? {
        guard pos < bytes.count else { return nil }
        let start = location
        let (scalar, length) = Lexer.decodeUTF8(bytes, at: pos)
        pos += length
        column += 1
        if scalar == nil {
            report("invalid UTF-8 byte 0x\(Lexer.hex(UInt32(bytes[pos - length]), width: 2))", at: start)
        }
        return scalar
    }

    /// Decodes the scalar at `index`, rejecting overlong forms, surrogates and values past U+10FFFF.
    /// Returns `(nil, 1)` for an invalid sequence so decoding resumes at the next byte.
    static func decodeUTF8(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar?, Int) {
        guard index < bytes.count else { return (nil, 1) }
        let lead = bytes[index]
        let length: Int
        let minimum: UInt32
        switch lead {
        case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
        case 0xC2...0xDF: length = 2; minimum = 0x80
        case 0xE0...0xEF: length = 3; minimum = 0x800
        case 0xF0...0xF4: length = 4; minimum = 0x10000
        default: return (nil, 1)
        }
        guard index + length <= bytes.count else { return (nil, 1) }
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for i in 1..<length {
            let byte = bytes[index + i]
            guard byte & 0xC0 == 0x80 else { return (nil, 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return (nil, 1) }
        return (scalar, length)
    }

    /// Records a diagnostic, once per message per line (so one bad string is not reported twice).
    /// Diagnostics arrive in source order, so only the current line's tail needs checking.
    private mutating func report(_ message: String, at loc: SourceLoc, incomplete: Bool = false) {
        for earlier in diagnostics.reversed() {
            if earlier.loc.line != loc.line { break }
            if earlier.message == message { return }
        }
        diagnostics.append(Diagnostic(file: file, loc: loc, message: message, isIncomplete: incomplete))
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isHexDigit(_ byte: UInt8) -> Bool { hexValue(byte) != nil }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
    }

    static func isIdentifierPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }

    /// Upper-case hex, at least `width` digits.
    static func hex(_ value: UInt32, width: Int = 4) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `'é'` for a visible character, `U+00A0` for spaces, controls and other invisible ones.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator,
            .privateUse, .surrogate, .unassigned, .nonspacingMark, .enclosingMark:
            return "U+\(hex(scalar.value))"
        default:
            return "'\(Character(scalar))'"
        }
    }
}

// MARK: - Spelling

extension TokenKind {
    /// How the token is written in source, for messages (`'+='`, `'while'`, `'42'`).
    var spelling: String {
        switch self {
        case .identifier(let name): return name
        case .int(let value): return String(value)
        case .float(let value): return String(value)
        case .string(let text): return "\"\(text)\""
        case .interpolated: return "string"
        case .newline: return "end of line"
        case .eof: return "end of input"
        case .error(let message): return message
        default: return TokenKind.fixedSpellings.first { $0.kind == self }?.text ?? "?"
        }
    }

    /// The spelling of a keyword token, or `nil` for any other token.
    var keywordText: String? {
        Lexer.keywordKinds.first { $0.value == self }?.key
    }

    private static let fixedSpellings: [(kind: TokenKind, text: String)] =
        [
            (.lParen, "("), (.rParen, ")"), (.lBracket, "["), (.rBracket, "]"), (.lBrace, "{"), (.rBrace, "}"),
            (.comma, ","), (.dot, "."), (.colon, ":"), (.semicolon, ";"),
            (.plus, "+"), (.minus, "-"), (.star, "*"), (.slash, "/"), (.slashSlash, "//"), (.percent, "%"),
            (.assign, "="), (.plusAssign, "+="), (.minusAssign, "-="), (.starAssign, "*="), (.slashAssign, "/="),
            (.slashSlashAssign, "//="), (.percentAssign, "%="),
            (.eq, "=="), (.ne, "!="), (.lt, "<"), (.le, "<="), (.gt, ">"), (.ge, ">="),
        ] + Lexer.keywordKinds.map { (kind: $0.value, text: $0.key) }
}
