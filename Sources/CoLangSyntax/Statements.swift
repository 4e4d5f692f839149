// Statement rules of the parser (grammar.md, "Statements"): one function per rule.

extension TokenParser {
    /// program = { separator } { statement terminator } EOF
    func parseProgram() -> [Stmt] {
        var program: [Stmt] = []
        do {
            while true {
                skipSeparators()
                if check(.eof) { break }
                if check(.rBrace) {
                    _ = fail("unexpected '}'", at: advance().loc)
                    continue
                }
                try parseStatementRecovering(into: &program)
            }
        } catch {
            // Only `NestingTooDeep` gets here; it has been reported and parsing stops.
        }
        return program
    }

    /// Parses one statement and checks its terminator; after a syntax error, resynchronises.
    /// Rethrows only `NestingTooDeep`.
    func parseStatementRecovering(into list: inout [Stmt]) throws {
        let start = pos
        do {
            list.append(try parseStatement())
            try expectTerminator()
        } catch is SyntaxError {
            synchronize(from: start)
        }
        if pos == start { advance() }
    }

    /// terminator = NEWLINE | ";" | before "}" | EOF
    func expectTerminator() throws {
        switch current.kind {
        case .newline, .semicolon, .eof, .rBrace:
            return
        case .rParen, .rBracket:
            throw fail("unexpected '\(current.kind.spelling)'", at: current.loc)
        default:
            throw fail("expected end of line or ';' after statement")
        }
    }

    /// True where a statement may end: a newline, `;`, `}` or the end of the tokens.
    var atStatementEnd: Bool {
        switch current.kind {
        case .newline, .semicolon, .rBrace, .eof: return true
        default: return false
        }
    }

    /// statement = let | fnDecl | if | while | for | "break" | "continue" | return | try | throw
    ///           | exprOrAssign
    func parseStatement() throws -> Stmt {
        switch current.kind {
        case .kwLet: return try parseLet()
        case .kwFn where next.kind != .lParen: return try parseFunctionDeclaration()
        case .kwIf: return try parseIf()
        case .kwWhile: return try parseWhile()
        case .kwFor: return try parseFor()
        case .kwBreak: return Stmt(.break, advance().loc)
        case .kwContinue: return Stmt(.continue, advance().loc)
        case .kwReturn: return try parseReturn()
        case .kwTry: return try parseTry()
        case .kwThrow: return try parseThrow()
        case .kwElse: throw fail("'else' without a matching 'if'", at: current.loc)
        case .kwCatch: throw fail("'catch' without a matching 'try'", at: current.loc)
        case .kwFinally: throw fail("'finally' without a matching 'try'", at: current.loc)
        case .rParen, .rBracket: throw fail("unexpected '\(current.kind.spelling)'", at: current.loc)
        default: return try parseExpressionStatement()
        }
    }

    /// let = "let" NAME [ "=" expression ]
    func parseLet() throws -> Stmt {
        let letToken = advance()
        let name = try expectName("a variable name", after: "'let'")
        var value = Expr(.nilLit, name.loc)
        if match(.assign) != nil {
            value = try parseExpression()
        } else if !atStatementEnd {
            throw fail("expected '=' after the variable name")
        }
        return Stmt(.let(name: name.text, nameLoc: name.loc, value: value), letToken.loc)
    }

    /// fnDecl = "fn" NAME parameters block
    func parseFunctionDeclaration() throws -> Stmt {
        let fnToken = advance()
        let name = try expectName("a function name", after: "'fn'")
        let decl = try parseFunctionRest(name: name.text, fn: fnToken, after: "the function name")
        return Stmt(.function(decl), fnToken.loc)
    }

    /// The parameters and body shared by declarations and `fn (...) { }` expressions.
    func parseFunctionRest(name: String?, fn: Token, after context: String) throws -> FunctionDecl {
        let params = try parseParameters(after: context)
        let (body, end) = try parseBlock("before the function body")
        return FunctionDecl(name: name, params: params, body: body, loc: fn.loc, endLoc: end)
    }

    /// parameters = "(" [ NAME { "," NAME } [ "," ] ] ")"
    func parseParameters(after context: String) throws -> [(name: String, loc: SourceLoc)] {
        let open = try expect(.lParen, "expected '(' after \(context)")
        var params: [(name: String, loc: SourceLoc)] = []
        while !check(.rParen) {
            if atEndOfInput { throw unclosed(open) }
            let param = try expectName("a parameter name", after: nil)
            if params.contains(where: { $0.name == param.text }) {
                report("duplicate parameter '\(param.text)'", at: param.loc, incomplete: false)
            }
            params.append((param.text, param.loc))
            if match(.comma) == nil { break }
        }
        try expectClosing(.rParen, opener: open, "expected ',' or ')' after parameter")
        return params
    }

    /// block = "{" { separator } { statement terminator } "}"
    func parseBlock(_ context: String, afterCondition: Bool = false) throws -> (body: [Stmt], end: SourceLoc) {
        if afterCondition && check(.assign) {
            throw fail("expected '{' \(context), found '='; use '==' to compare values", at: current.loc)
        }
        let open = try expect(.lBrace, "expected '{' \(context)")
        try enter()
        defer { leave() }
        var body: [Stmt] = []
        var end = open.loc
        try withNewlines(ignored: false) {
            while true {
                skipSeparators()
                if let close = match(.rBrace) {
                    end = close.loc
                    return
                }
                if check(.eof) { throw atEndOfInput ? unclosed(open) : fail("'{' was never closed", at: open.loc) }
                try parseStatementRecovering(into: &body)
            }
        }
        return (body, end)
    }

    /// if = "if" expression block [ "else" ( if | block ) ]
    func parseIf() throws -> Stmt {
        let ifToken = advance()
        let condition = try parseExpression()
        let then = try parseBlock("after if condition", afterCondition: true).body
        var elseBranch: [Stmt]?
        if continues(with: .kwElse) {
            advance()
            if check(.kwIf) {
                try enter()
                defer { leave() }
                elseBranch = [try parseIf()]
            } else {
                elseBranch = try parseBlock("after 'else'").body
            }
        }
        return Stmt(.if(cond: condition, then: then, else: elseBranch), ifToken.loc)
    }

    /// while = "while" expression block
    func parseWhile() throws -> Stmt {
        let whileToken = advance()
        let condition = try parseExpression()
        let body = try parseBlock("after while condition", afterCondition: true).body
        return Stmt(.while(cond: condition, body: body), whileToken.loc)
    }

    /// for = "for" NAME "in" expression block
    func parseFor() throws -> Stmt {
        let forToken = advance()
        let name = try expectName("a loop variable name", after: "'for'")
        try expect(.kwIn, "expected 'in' after the loop variable")
        let iterable = try parseExpression()
        let body = try parseBlock("after the for loop's iterable").body
        return Stmt(.for(name: name.text, nameLoc: name.loc, iterable: iterable, body: body), forToken.loc)
    }

    /// return = "return" [ expression ]
    func parseReturn() throws -> Stmt {
        let returnToken = advance()
        let value = atStatementEnd ? nil : try parseExpression()
        return Stmt(.return(value), returnToken.loc)
    }

    /// try = "try" block ( "catch" [ NAME ] block [ "finally" block ] | "finally" block )
    func parseTry() throws -> Stmt {
        let tryToken = advance()
        let body = try parseBlock("after 'try'").body
        var clause: CatchClause?
        if continues(with: .kwCatch) {
            let catchToken = advance()
            var name: String?
            var nameLoc = catchToken.loc
            if !check(.lBrace) {
                let binding = try expectName("a variable name", after: "'catch'")
                name = binding.text
                nameLoc = binding.loc
            }
            let handler = try parseBlock("after 'catch'").body
            clause = CatchClause(name: name, loc: nameLoc, body: handler)
        }
        var cleanup: [Stmt]?
        if continues(with: .kwFinally) {
            advance()
            cleanup = try parseBlock("after 'finally'").body
        }
        if clause == nil && cleanup == nil { throw fail("expected 'catch' or 'finally' after the try block") }
        return Stmt(.try(body: body, catch: clause, finally: cleanup), tryToken.loc)
    }

    /// throw = "throw" expression
    func parseThrow() throws -> Stmt {
        let throwToken = advance()
        if atStatementEnd { throw fail("expected a value after 'throw'") }
        return Stmt(.throw(try parseExpression()), throwToken.loc)
    }

    /// exprOrAssign = expression [ assignOp expression ]; the target must be a name, index or field.
    func parseExpressionStatement() throws -> Stmt {
        let first = current
        let expr = try parseExpression()
        guard let op = TokenParser.assignmentOperator(current.kind) else { return Stmt(.expr(expr), first.loc) }
        let opToken = advance()
        guard TokenParser.isAssignable(expr) else { throw fail("invalid assignment target", at: first.loc) }
        let value = try parseExpression()
        return Stmt(.assign(target: expr, op: op.compound, value: value), opToken.loc)
    }

    /// An assignment operator: `=` has no compound operator, `+=` has `.add`, and so on.
    struct AssignmentOperator { var compound: CompoundOp? }

    static func assignmentOperator(_ kind: TokenKind) -> AssignmentOperator? {
        switch kind {
        case .assign: return AssignmentOperator(compound: nil)
        case .plusAssign: return AssignmentOperator(compound: .add)
        case .minusAssign: return AssignmentOperator(compound: .sub)
        case .starAssign: return AssignmentOperator(compound: .mul)
        case .slashAssign: return AssignmentOperator(compound: .div)
        case .slashSlashAssign: return AssignmentOperator(compound: .floorDiv)
        case .percentAssign: return AssignmentOperator(compound: .mod)
        default: return nil
        }
    }

    static func isAssignable(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .name, .index, .field: return true
        default: return false
        }
    }

    /// A NAME token; a keyword gets its own message (`'if' is a keyword and cannot be used as ...`).
    func expectName(_ noun: String, after context: String?) throws -> (text: String, loc: SourceLoc) {
        if case .identifier(let name) = current.kind { return (name, advance().loc) }
        if let keyword = current.kind.keywordText {
            throw fail("'\(keyword)' is a keyword and cannot be used as \(noun)", at: current.loc)
        }
        throw fail("expected \(noun)" + (context.map { " after \($0)" } ?? ""))
    }
}
