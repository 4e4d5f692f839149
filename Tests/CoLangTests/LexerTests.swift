// Unit tests for the lexer: tokens, numbers, strings, interpolation, newline rules and bad bytes.
import Testing
@testable import CoLang
@testable import CoLangSyntax

/// Token kinds of `source`, without the final `.eof`.
private func kinds(_ source: String) -> [TokenKind] {
    let (tokens, _) = Lexer.tokenize(source: source, file: "t")
    return tokens.dropLast().map(\.kind)
}

/// `line:col: message` for each lexer diagnostic.
private func lexErrors(_ source: String) -> [String] {
    Lexer.tokenize(source: source, file: "t").diagnostics.map { "\($0.loc): \($0.message)" }
}

private func lexErrors(bytes: [UInt8]) -> [String] {
    var lexer = Lexer(bytes: bytes, file: "t")
    return lexer.tokenize().diagnostics.map { "\($0.loc): \($0.message)" }
}

@Suite struct LexerTests {
    @Test func keywordListMatchesTheContract() {
        #expect(
            Lexer.keywords.joined(separator: " ")
                == "let fn return if else while for in break continue true false nil and or not yield from spawn try catch finally throw")
        for word in Lexer.keywords {
            let kind = kinds(word).first
            #expect(kind?.keywordText == word, "\(word) should lex as a keyword")
        }
        #expect(kinds("lets fnx _if") == [.identifier("lets"), .identifier("fnx"), .identifier("_if")])
    }

    @Test func operatorsAndPunctuation() {
        #expect(
            kinds("+ - * / // % = += -= *= /= //= %=")
                == [
                    .plus, .minus, .star, .slash, .slashSlash, .percent, .assign, .plusAssign, .minusAssign,
                    .starAssign, .slashAssign, .slashSlashAssign, .percentAssign,
                ])
        #expect(
            kinds("== != < <= > >= ( ) [ ] { } , . : ;")
                == [
                    .eq, .ne, .lt, .le, .gt, .ge, .lParen, .rParen, .lBracket, .rBracket, .lBrace, .rBrace,
                    .comma, .dot, .colon, .semicolon,
                ])
        #expect(kinds("a//b") == [.identifier("a"), .slashSlash, .identifier("b")])
        #expect(kinds("x==-1") == [.identifier("x"), .eq, .minus, .int(1)])
    }

    @Test func locationsCountCodePoints() {
        let (tokens, _) = Lexer.tokenize(source: "let é = 1\n\"😀é\" + x\n\tfoo", file: "t")
        let locs = tokens.map { "\($0.loc)" }
        // `é` is an invalid character but still one column.
        #expect(locs == ["1:1", "1:5", "1:7", "1:9", "1:10", "2:1", "2:6", "2:8", "2:9", "3:2", "3:5"])
    }

    @Test func integers() {
        #expect(
            kinds("42 1_000_000 0xff 0XFF 0x7fff_ffff_ffff_ffff 9223372036854775807 007")
                == [.int(42), .int(1_000_000), .int(255), .int(255), .int(Int64.max), .int(Int64.max), .int(7)])
    }

    @Test func integerTooLarge() {
        #expect(lexErrors("x = 9223372036854775808") == ["1:5: integer literal is too large"])
        #expect(lexErrors("0x1_0000_0000_0000_0000") == ["1:1: integer literal is too large"])
        #expect(kinds("99999999999999999999") == [.error("integer literal is too large")])
    }

    @Test func invalidNumbers() {
        #expect(lexErrors("1_") == ["1:1: invalid number literal '1_'"])
        #expect(lexErrors("1__0") == ["1:1: invalid number literal '1__0'"])
        #expect(lexErrors("0x") == ["1:1: invalid number literal '0x'"])
        #expect(lexErrors("12abc") == ["1:1: invalid number literal '12abc'"])
        #expect(lexErrors("0b101") == ["1:1: invalid number literal '0b101'"])
        #expect(lexErrors("1e") == ["1:1: invalid number literal '1e'"])
    }

    @Test func floats() {
        #expect(
            kinds("3.14 1e9 2.5e-3 1E+2 1_000.5 0.0") == [
                .float(3.14), .float(1e9), .float(2.5e-3),
                .float(100), .float(1000.5), .float(0),
            ])
        // Digits are needed on both sides of the dot.
        #expect(kinds("1.foo") == [.int(1), .dot, .identifier("foo")])
        #expect(kinds("1.") == [.int(1), .dot])
        #expect(kinds(".5") == [.dot, .int(5)])
    }

    @Test func stringsWithBothQuotes() {
        #expect(kinds(#""abc" 'd"e' "it's""#) == [.string("abc"), .string("d\"e"), .string("it's")])
        #expect(kinds(#""""#) == [.string("")])
    }

    @Test func escapes() {
        #expect(kinds(#""\n\t\r\\\"\'\0\$""#) == [.string("\n\t\r\\\"'\0$")])
        #expect(kinds(#"'\u{1F600}\u{41}\u{e9}'"#) == [.string("😀Aé")])
        #expect(kinds(#""a\${x}""#) == [.string("a${x}")])
        #expect(kinds(#""cost: $5""#) == [.string("cost: $5")])
    }

    @Test func badEscapes() {
        #expect(lexErrors(#""a\qb""#) == [#"1:3: invalid escape sequence '\q'"#])
        let malformed = #"invalid unicode escape; write it as \u{1F600} with 1 to 6 hex digits"#
        #expect(lexErrors(#""\u1234""#) == ["1:2: " + malformed])
        #expect(lexErrors(#""\u{}""#) == ["1:2: " + malformed])
        #expect(lexErrors(#""\u{1234567}""#) == ["1:2: " + malformed])
        #expect(lexErrors(#""\u{12""#) == ["1:2: " + malformed])
        #expect(lexErrors(#""\u{D800}""#) == [#"1:2: '\u{D800}' is not a valid Unicode code point"#])
        #expect(lexErrors(#""\u{110000}""#) == [#"1:2: '\u{110000}' is not a valid Unicode code point"#])
    }

    @Test func unterminatedStrings() {
        let atEndOfLine = Lexer.tokenize(source: "x = \"abc\ny = 2", file: "t")
        #expect(atEndOfLine.diagnostics.map(\.message) == ["unterminated string"])
        #expect(atEndOfLine.diagnostics.first?.isIncomplete == false)
        #expect(atEndOfLine.tokens.map(\.kind).contains(.identifier("y")))

        for source in ["x = \"abc", "'abc\\", "\"${x", "\"${ f(1, ", "'\\u{1F6", "'\\u"] {
            let result = Lexer.tokenize(source: source, file: "t")
            #expect(result.diagnostics.map(\.message) == ["unterminated string"], "\(source)")
            // A string cannot span lines, so more input never completes it: not "incomplete".
            #expect(result.diagnostics.first?.isIncomplete == false, "\(source)")
        }
        #expect(lexErrors("\"${x\n") == ["1:1: unterminated string"])
        #expect(lexErrors("'abc\"") == ["1:1: unterminated string"])
    }

    @Test func interpolationPieces() {
        let (tokens, diagnostics) = Lexer.tokenize(source: #""a${x}b${ y + 1 }""#, file: "t")
        #expect(diagnostics.isEmpty)
        guard case .interpolated(let pieces)? = tokens.first?.kind, pieces.count == 4 else {
            Issue.record("expected four pieces, got \(tokens)")
            return
        }
        #expect(pieces[0] == .text("a"))
        #expect(
            pieces[1]
                == .expr([
                    Token(kind: .identifier("x"), loc: SourceLoc(line: 1, column: 5)),
                    Token(kind: .eof, loc: SourceLoc(line: 1, column: 6)),
                ]))
        #expect(pieces[2] == .text("b"))
        guard case .expr(let inner) = pieces[3] else { return }
        #expect(inner.map(\.kind) == [.identifier("y"), .plus, .int(1), .eof])
        #expect(inner.map { "\($0.loc)" } == ["1:11", "1:13", "1:15", "1:17"])
    }

    @Test func interpolationWithNestedStringsAndBraces() {
        let source = #"print("${ {"a": "}"}["a"] } and ${ "${'in' + "ner"}" }!")"#
        let (tokens, diagnostics) = Lexer.tokenize(source: source, file: "t")
        #expect(diagnostics.isEmpty)
        #expect(tokens.map(\.kind).count == 5)  // print ( string ) eof
        guard case .interpolated(let pieces) = tokens[2].kind else {
            Issue.record("no interpolation in \(tokens)")
            return
        }
        #expect(pieces.count == 4)
        #expect(pieces[1] == .text(" and "))
        #expect(pieces[3] == .text("!"))
        guard case .expr(let map) = pieces[0], case .expr(let nested) = pieces[2] else { return }
        #expect(
            map.map(\.kind) == [
                .lBrace, .string("a"), .colon, .string("}"), .rBrace, .lBracket,
                .string("a"), .rBracket, .eof,
            ])
        guard case .interpolated(let innerPieces)? = nested.first?.kind,
            case .expr(let innerTokens)? = innerPieces.first
        else {
            Issue.record("no nested interpolation in \(nested)")
            return
        }
        #expect(innerTokens.map(\.kind) == [.string("in"), .plus, .string("ner"), .eof])
    }

    @Test func commentsAndShebang() {
        #expect(kinds("#!/usr/bin/env colang\nx # a comment ü\ny") == [.identifier("x"), .newline, .identifier("y")])
        #expect(kinds("# only a comment") == [])
    }

    @Test func newlinesAreDroppedInsideParensAndBrackets() {
        #expect(
            kinds("f(1,\n2\n)\n[3\n,4\n]")
                == [
                    .identifier("f"), .lParen, .int(1), .comma, .int(2), .rParen, .newline,
                    .lBracket, .int(3), .comma, .int(4), .rBracket,
                ])
    }

    @Test func mismatchedCloserEndsTheInnermostBracket() {
        // `]` closes the `(` here, so the next newline is significant again.
        #expect(
            kinds("x = (1 +\n]\ny") == [
                .identifier("x"), .assign, .lParen, .int(1), .plus, .rBracket,
                .newline, .identifier("y"),
            ])
        #expect(kinds("[(]\ny") == [.lBracket, .lParen, .rBracket, .newline, .identifier("y")])
    }

    @Test func newlinesInsideBracesAreKept() {
        #expect(
            kinds("if x {\na\nb\n}\nc")
                == [
                    .kwIf, .identifier("x"), .lBrace, .identifier("a"), .newline, .identifier("b"), .newline,
                    .rBrace, .newline, .identifier("c"),
                ])
        // A block inside parentheses still separates statements.
        #expect(
            kinds("f(fn() {\na\nb\n})") == [
                .identifier("f"), .lParen, .kwFn, .lParen, .rParen, .lBrace,
                .identifier("a"), .newline, .identifier("b"), .newline,
                .rBrace, .rParen,
            ])
    }

    @Test func newlinesAfterTokensThatCannotEndAnExpression() {
        for op in [
            "+", "-", "*", "/", "//", "%", "==", "!=", "<", "<=", ">", ">=", "=", "+=", "-=", "*=",
            "/=", "//=", "%=", ",", ".", "and", "or", "not", ":",
        ] {
            #expect(!kinds("a \(op)\nb").contains(.newline), "newline after \(op)")
        }
        for end in ["a", "1", "\"s\"", ")", "]", "}", "nil", "true", "yield", "return", "break"] {
            #expect(kinds("\(end)\nb").contains(.newline), "newline after \(end)")
        }
    }

    @Test func newlinesCollapse() {
        #expect(
            kinds("\n\n a\n\n\n# c\n\n b;\n\nc\n") == [
                .identifier("a"), .newline, .identifier("b"),
                .semicolon, .identifier("c"), .newline,
            ])
        #expect(kinds("a\r\nb") == [.identifier("a"), .newline, .identifier("b")])
    }

    @Test func invalidCharacters() {
        #expect(lexErrors("x = 1 @ 2") == ["1:7: unexpected character '@'"])
        #expect(kinds("a @ b") == [.identifier("a"), .error("unexpected character '@'"), .identifier("b")])
        #expect(lexErrors("!x") == ["1:1: unexpected character '!'; use 'not' for negation and '!=' for inequality"])
        #expect(lexErrors("a && b") == ["1:3: unexpected '&&'; use 'and'"])
        #expect(lexErrors("a || b") == ["1:3: unexpected '||'; use 'or'"])
        #expect(lexErrors("café = 1") == ["1:4: unexpected character 'é'"])
        #expect(lexErrors("a\u{A0}= 1") == ["1:2: unexpected character U+00A0"])
        #expect(lexErrors("a\u{7}") == ["1:2: unexpected control character U+0007"])
        #expect(lexErrors("`x`\n?") == ["1:1: unexpected character '`'", "2:1: unexpected character '?'"])
    }

    @Test func invalidUTF8AndNulBytes() {
        #expect(lexErrors(bytes: [0x78, 0xFF, 0x79]) == ["1:2: invalid UTF-8 byte 0xFF"])
        #expect(
            lexErrors(bytes: Array("\"a".utf8) + [0xC0, 0x80] + Array("b\" c".utf8))
                == ["1:3: invalid UTF-8 byte 0xC0", "1:4: invalid UTF-8 byte 0x80"])
        #expect(lexErrors(bytes: Array("# ".utf8) + [0xED, 0xA0, 0x80]).first == "1:3: invalid UTF-8 byte 0xED")
        #expect(lexErrors(bytes: Array("'".utf8) + [0xE2, 0x82]).contains("1:2: invalid UTF-8 byte 0xE2"))
        #expect(lexErrors(bytes: [0xF4, 0x90, 0x80, 0x80]).first == "1:1: invalid UTF-8 byte 0xF4")
        #expect(lexErrors(bytes: [0x61, 0x00, 0x62]) == ["1:2: invalid NUL byte in source"])
        #expect(lexErrors(bytes: Array("'a".utf8) + [0] + Array("'".utf8)) == ["1:3: invalid NUL byte in source"])
        #expect(lexErrors(bytes: Array("#".utf8) + [0]) == ["1:2: invalid NUL byte in source"])
        // Valid multi-byte characters in strings and comments are fine.
        #expect(lexErrors("'😀 中文' # ✓").isEmpty)
    }

    @Test func deeplyNestedInterpolationIsReportedNotACrash() {
        let depth = 5_000
        let source =
            String(repeating: "\"${", count: depth) + "x" + String(repeating: "}\"", count: depth)
            + "\ny = 1"
        let result = Lexer.tokenize(source: source, file: "t")
        #expect(result.diagnostics.map(\.message) == ["too much nesting"])
        #expect(result.tokens.map(\.kind).contains(.identifier("y")))
    }

    @Test func moderateInterpolationNestingIsFine() {
        let depth = 50
        let source = String(repeating: "\"${", count: depth) + "x" + String(repeating: "}\"", count: depth)
        #expect(lexErrors(source).isEmpty)
    }
}
