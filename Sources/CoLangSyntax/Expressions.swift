// Expression rules of the parser (grammar.md, "Expressions"), lowest precedence first.

extension TokenParser {
    /// expression = yield | "spawn" expression | or
    func parseExpression() throws -> Expr {
        try enter()
        defer { leave() }
        switch current.kind {
        case .kwYield:
            return try parseYield()
        case .kwSpawn:
            let spawnToken = advance()
            return Expr(.spawn(try parseExpression()), spawnToken.loc)
        default:
            return try parseOr()
        }
    }

    /// yield = "yield" "from" expression | "yield" [ expression ]
    /// (no operand when the statement, bracket, entry or argument ends right after it)
    func parseYield() throws -> Expr {
        let yieldToken = advance()
        if match(.kwFrom) != nil { return Expr(.yieldFrom(try parseExpression()), yieldToken.loc) }
        switch current.kind {
        case .newline, .semicolon, .rParen, .rBracket, .rBrace, .comma, .colon, .eof:
            return Expr(.yield(nil), yieldToken.loc)
        default:
            return Expr(.yield(try parseExpression()), yieldToken.loc)
        }
    }

    /// or = and { "or" and }
    func parseOr() throws -> Expr {
        let first = try parseAnd()
        var links: [ChainLink] = []
        while let op = match(.kwOr) {  // a flat chain, as in parseBinary
            links.append(ChainLink(op: .logical(.or), operand: try parseAnd(), loc: op.loc))
        }
        return Parser.chain(first, links)
    }

    /// and = not { "and" not }
    func parseAnd() throws -> Expr {
        let first = try parseNot()
        var links: [ChainLink] = []
        while let op = match(.kwAnd) {  // a flat chain, as in parseBinary
            links.append(ChainLink(op: .logical(.and), operand: try parseNot(), loc: op.loc))
        }
        return Parser.chain(first, links)
    }

    /// not = "not" not | comparison
    func parseNot() throws -> Expr {
        guard let op = match(.kwNot) else { return try parseComparison() }
        try enter()
        defer { leave() }
        return Expr(.unary(.not, try parseNot()), op.loc)
    }

    /// comparison = bitOr { ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) bitOr }  (left-assoc)
    func parseComparison() throws -> Expr {
        try parseBinary(operand: parseBitOr) { kind in
            switch kind {
            case .eq: return .eq
            case .ne: return .ne
            case .lt: return .lt
            case .le: return .le
            case .gt: return .gt
            case .ge: return .ge
            default: return nil
            }
        }
    }

    /// bitOr = bitXor { "|" bitXor }
    func parseBitOr() throws -> Expr {
        try parseBinary(operand: parseBitXor) { $0 == .pipe ? .bitOr : nil }
    }

    /// bitXor = bitAnd { "^" bitAnd }
    func parseBitXor() throws -> Expr {
        try parseBinary(operand: parseBitAnd) { $0 == .caret ? .bitXor : nil }
    }

    /// bitAnd = shift { "&" shift }
    func parseBitAnd() throws -> Expr {
        try parseBinary(operand: parseShift) { $0 == .amp ? .bitAnd : nil }
    }

    /// shift = additive { ( "<<" | ">>" ) additive }
    func parseShift() throws -> Expr {
        try parseBinary(operand: parseAdditive) { kind in
            switch kind {
            case .shiftLeft: return .shiftLeft
            case .shiftRight: return .shiftRight
            default: return nil
            }
        }
    }

    /// additive = multiplicative { ( "+" | "-" ) multiplicative }
    func parseAdditive() throws -> Expr {
        try parseBinary(operand: parseMultiplicative) { kind in
            switch kind {
            case .plus: return .add
            case .minus: return .sub
            default: return nil
            }
        }
    }

    /// multiplicative = unary { ( "*" | "/" | "//" | "%" ) unary }
    func parseMultiplicative() throws -> Expr {
        try parseBinary(operand: parseUnary) { kind in
            switch kind {
            case .star: return .mul
            case .slash: return .div
            case .slashSlash: return .floorDiv
            case .percent: return .mod
            default: return nil
            }
        }
    }

    /// One left-associative level: `operand { op operand }`. A flat chain is not nesting: its
    /// tree is deep only down the left, which the compiler walks with a loop (`leftSpine`).
    private func parseBinary(operand: () throws -> Expr, op: (TokenKind) -> BinaryOp?) throws -> Expr {
        let first = try operand()
        var links: [ChainLink] = []
        while let binary = op(current.kind) {
            let opToken = advance()
            links.append(ChainLink(op: .binary(binary), operand: try operand(), loc: opToken.loc))
        }
        return Parser.chain(first, links)
    }

    /// unary = ( "-" | "~" ) unary | power
    func parseUnary() throws -> Expr {
        guard let op = match(.minus) ?? match(.tilde) else { return try parsePower() }
        try enter()
        defer { leave() }
        return Expr(.unary(op.kind == .minus ? .neg : .bitNot, try parseUnary()), op.loc)
    }

    /// power = postfix [ "**" unary ]   (right-associative, and tighter than a unary minus on
    /// its left: `-2 ** 2` is `-(2 ** 2)`, `2 ** -1` is `2 ** (-1)`, as in Python)
    func parsePower() throws -> Expr {
        let base = try parsePostfix()
        guard let op = match(.starStar) else { return base }
        try enter()
        defer { leave() }
        return Expr(.binary(.pow, base, try parseUnary()), op.loc)
    }

    /// postfix = primary { arguments | "[" expression "]" | "." NAME [ arguments ] }
    func parsePostfix() throws -> Expr {
        var expr = try parsePrimary()
        var levels = 0
        defer { leave(levels) }
        while check(.lParen) || check(.lBracket) || check(.dot) {
            try enter()
            levels += 1
            switch current.kind {
            case .lParen: expr = try parseCall(expr)
            case .lBracket: expr = try parseIndex(expr)
            default: expr = try parseMember(expr)
            }
        }
        return expr
    }

    /// call = postfix arguments   (located at the `(`)
    func parseCall(_ callee: Expr) throws -> Expr {
        let open = advance()
        let args = try parseCommaList(open: open, close: .rParen, "expected ')' after arguments")
        return Expr(.call(callee: callee, args: args), open.loc)
    }

    /// index = postfix "[" expression "]"   (located at the `[`)
    func parseIndex(_ object: Expr) throws -> Expr {
        let open = advance()
        let index = try parseExpression()
        try expectClosing(.rBracket, opener: open, "expected ']' after index")
        return Expr(.index(object: object, index: index), open.loc)
    }

    /// member = postfix "." ( NAME | KEYWORD ) [ arguments ]   (located at the name)
    /// Keywords are allowed after `.` so that `co.throw(e)` works.
    func parseMember(_ object: Expr) throws -> Expr {
        advance()
        let nameToken = current
        let name: String
        if case .identifier(let text) = nameToken.kind {
            name = text
        } else if let keyword = nameToken.kind.keywordText {
            name = keyword
        } else {
            throw fail("expected a field or method name after '.'")
        }
        advance()
        guard check(.lParen) else { return Expr(.field(object: object, name: name), nameToken.loc) }
        let open = advance()
        let args = try parseCommaList(open: open, close: .rParen, "expected ')' after arguments")
        return Expr(.method(object: object, name: name, args: args), nameToken.loc)
    }

    /// `[ expression { "," expression } [ "," ] ] close`, after the opener has been consumed.
    func parseCommaList(open: Token, close: TokenKind, _ message: String) throws -> [Expr] {
        var items: [Expr] = []
        while !check(close) {
            if atEndOfInput { throw unclosed(open) }
            items.append(try parseExpression())
            if match(.comma) == nil { break }
        }
        try expectClosing(close, opener: open, message)
        return items
    }

    /// primary = literal | STRING | NAME | group | list | map | function
    func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case .int(let value): advance(); return Expr(.intLit(value), token.loc)
        case .float(let value): advance(); return Expr(.floatLit(value), token.loc)
        case .string(let text): advance(); return Expr(.string(text), token.loc)
        case .kwTrue: advance(); return Expr(.boolLit(true), token.loc)
        case .kwFalse: advance(); return Expr(.boolLit(false), token.loc)
        case .kwNil: advance(); return Expr(.nilLit, token.loc)
        case .identifier(let name): advance(); return Expr(.name(name), token.loc)
        case .interpolated(let pieces):
            advance()
            return try parseInterpolation(pieces, at: token.loc)
        case .lParen: return try parseGroup()
        case .lBracket: return try parseList()
        case .lBrace: return try parseMap()
        case .kwFn: return try parseFunctionLiteral()
        case .kwYield, .kwSpawn, .kwNot:
            let word = token.kind.spelling
            throw fail(
                "expected expression, found '\(word)'; put the '\(word)' expression in parentheses",
                at: token.loc)
        default:
            throw fail("expected expression")
        }
    }

    /// group = "(" expression ")"
    func parseGroup() throws -> Expr {
        let open = advance()
        let inner = try parseExpression()
        try expectClosing(.rParen, opener: open, "expected ')' after expression")
        return inner
    }

    /// list = "[" [ expression { "," expression } [ "," ] ] "]"
    func parseList() throws -> Expr {
        let open = advance()
        let items = try parseCommaList(open: open, close: .rBracket, "expected ',' or ']' after list element")
        return Expr(.list(items), open.loc)
    }

    /// map = "{" [ entry { "," entry } [ "," ] ] "}"   (newlines ignored inside)
    func parseMap() throws -> Expr {
        let open = advance()
        try enter()
        defer { leave() }
        var entries: [(key: Expr, value: Expr)] = []
        try withNewlines(ignored: true) {
            while !check(.rBrace) {
                if atEndOfInput { throw unclosed(open) }
                entries.append(try parseMapEntry())
                if match(.comma) == nil { break }
            }
            if !check(.rBrace) {
                throw atEndOfInput ? unclosed(open) : fail("expected ',' or '}' after map entry")
            }
        }
        advance()  // the `}`, consumed under the enclosing newline rule
        return Expr(.map(entries), open.loc)
    }

    /// entry = ( NAME | expression ) ":" expression   (a bare NAME key is the string "NAME")
    func parseMapEntry() throws -> (key: Expr, value: Expr) {
        let key: Expr
        if case .identifier(let name) = current.kind, next.kind == .colon {
            key = Expr(.string(name), advance().loc)
        } else {
            key = try parseExpression()
        }
        try expect(.colon, "expected ':' after map key")
        return (key, try parseExpression())
    }

    /// function = "fn" parameters block
    func parseFunctionLiteral() throws -> Expr {
        let fnToken = advance()
        if case .identifier(let name) = current.kind {
            throw fail(
                "a function expression has no name: write 'fn (...) { }', or declare "
                    + "'fn \(name)(...) { }' as a statement", at: current.loc)
        }
        let decl = try parseFunctionRest(name: nil, fn: fnToken, after: "'fn'")
        return Expr(.function(decl), fnToken.loc)
    }

    /// interpolation = STRING_PART { "${" expression "}" STRING_PART }   (tokens split by the lexer)
    func parseInterpolation(_ pieces: [InterpolationPiece], at loc: SourceLoc) throws -> Expr {
        var parts: [InterpolationPart] = []
        for piece in pieces {
            switch piece {
            case .text(let text): parts.append(.text(text))
            case .expr(let tokens): parts.append(.expr(try parseEmbedded(tokens)))
            }
        }
        return Expr(.interpolation(parts), loc)
    }

    /// The expression inside one `${ }`: exactly one expression, then the end of its tokens.
    func parseEmbedded(_ inner: [Token]) throws -> Expr {
        try withTokens(inner) {
            if check(.eof) { throw fail("empty interpolation '${}'", at: current.loc) }
            let expr = try parseExpression()
            if !check(.eof) { throw fail("expected '}' after the interpolated expression") }
            return expr
        }
    }
}

extension Parser {
    /// Chains with this many links or more stay flat (`.chain`); see `ExprKind.chain`.
    public static let longChain = 64

    /// The left-leaning tree of `first op operand op operand …`, or one flat `.chain` node.
    static func chain(_ first: Expr, _ links: [ChainLink]) -> Expr {
        if links.count >= longChain { return Expr(.chain(first: first, links: links), links[links.count - 1].loc) }
        var left = first
        for link in links {
            switch link.op {
            case .binary(let op): left = Expr(.binary(op, left, link.operand), link.loc)
            case .logical(let op): left = Expr(.logical(op, left, link.operand), link.loc)
            }
        }
        return left
    }
}
