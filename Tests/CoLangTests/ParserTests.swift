// Unit tests for the parser: precedence, every statement form, recovery, incomplete input, limits.
import Testing
@testable import CoLang
@testable import CoLangSyntax

// MARK: - A small S-expression printer for trees

private func show(_ e: Expr) -> String {
    switch e.kind {
    case .nilLit: return "nil"
    case .boolLit(let b): return String(b)
    case .intLit(let i): return String(i)
    case .floatLit(let d): return String(d)
    case .string(let s): return s.debugDescription
    case .interpolation(let parts):
        let shown = parts.map { part -> String in
            switch part {
            case .text(let t): return t.debugDescription
            case .expr(let x): return show(x)
            }
        }
        return "(interp \(shown.joined(separator: " ")))"
    case .name(let n): return n
    case .list(let items): return "(list\(items.map { " " + show($0) }.joined()))"
    case .map(let entries): return "(map\(entries.map { " (\(show($0.key)) \(show($0.value)))" }.joined()))"
    case .unary(let op, let x): return "(\(op == .neg ? "-" : op == .not ? "not" : "~") \(show(x)))"
    case .binary(let op, let a, let b): return "(\(binarySymbol(op)) \(show(a)) \(show(b)))"
    case .logical(let op, let a, let b): return "(\(op == .and ? "and" : "or") \(show(a)) \(show(b)))"
    case .chain(let first, let links):  // shown as the tree it stands for
        return links.reduce(show(first)) { left, link in
            switch link.op {
            case .binary(let op): return "(\(binarySymbol(op)) \(left) \(show(link.operand)))"
            case .logical(let op): return "(\(op == .and ? "and" : "or") \(left) \(show(link.operand)))"
            }
        }
    case .call(let callee, let args): return "(call \(show(callee))\(args.map { " " + show($0) }.joined()))"
    case .index(let object, let index): return "(index \(show(object)) \(show(index)))"
    case .field(let object, let name): return "(. \(show(object)) \(name))"
    case .method(let object, let name, let args):
        return "(.\(name) \(show(object))\(args.map { " " + show($0) }.joined()))"
    case .function(let decl): return show(decl)
    case .yield(let x): return x.map { "(yield \(show($0)))" } ?? "(yield)"
    case .yieldFrom(let x): return "(yield-from \(show(x)))"
    case .spawn(let x): return "(spawn \(show(x)))"
    }
}

private func binarySymbol(_ op: BinaryOp) -> String {
    switch op {
    case .add: return "+"
    case .sub: return "-"
    case .mul: return "*"
    case .div: return "/"
    case .floorDiv: return "//"
    case .mod: return "%"
    case .pow: return "**"
    case .bitAnd: return "&"
    case .bitOr: return "|"
    case .bitXor: return "^"
    case .shiftLeft: return "<<"
    case .shiftRight: return ">>"
    case .eq: return "=="
    case .ne: return "!="
    case .lt: return "<"
    case .le: return "<="
    case .gt: return ">"
    case .ge: return ">="
    }
}

private func show(_ decl: FunctionDecl) -> String {
    "(fn \(decl.name ?? "_") (\(decl.params.map(\.name).joined(separator: " "))) \(show(decl.body)))"
}

private func show(_ body: [Stmt]) -> String { "{\(body.map(show).joined(separator: "; "))}" }

private func show(_ s: Stmt) -> String {
    switch s.kind {
    case .expr(let e): return show(e)
    case .let(let name, _, let value): return "(let \(name) \(show(value)))"
    case .assign(let target, let op, let value):
        let symbol = op.map { binarySymbol(compoundBinary($0)) + "=" } ?? "="
        return "(\(symbol) \(show(target)) \(show(value)))"
    case .function(let decl): return show(decl)
    case .if(let cond, let then, let els):
        return "(if \(show(cond)) \(show(then))\(els.map { " else " + show($0) } ?? ""))"
    case .while(let cond, let body): return "(while \(show(cond)) \(show(body)))"
    case .for(let name, _, let iterable, let body): return "(for \(name) \(show(iterable)) \(show(body)))"
    case .break: return "break"
    case .continue: return "continue"
    case .return(let x): return x.map { "(return \(show($0)))" } ?? "(return)"
    case .try(let body, let clause, let cleanup):
        let c = clause.map { " catch \($0.name ?? "_") \(show($0.body))" } ?? ""
        return "(try \(show(body))\(c)\(cleanup.map { " finally " + show($0) } ?? ""))"
    case .throw(let x): return "(throw \(show(x)))"
    }
}

private func compoundBinary(_ op: CompoundOp) -> BinaryOp {
    switch op {
    case .add: return .add
    case .sub: return .sub
    case .mul: return .mul
    case .div: return .div
    case .floorDiv: return .floorDiv
    case .mod: return .mod
    }
}

// MARK: - Helpers

private func parse(_ source: String) -> (program: [Stmt], diagnostics: [Diagnostic]) {
    Parser.parse(source: source, file: "t.co")
}

/// The printed program, statements separated by `; `; records an issue if there are diagnostics.
private func tree(_ source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
    let result = parse(source)
    #expect(
        result.diagnostics.isEmpty, "unexpected: \(result.diagnostics.map(\.message))",
        sourceLocation: sourceLocation)
    return result.program.map(show).joined(separator: "; ")
}

/// The single expression of a one-statement program.
private func expr(_ source: String) -> Expr? {
    guard case .expr(let e)? = parse(source).program.first?.kind else { return nil }
    return e
}

/// `line:col: message` for every diagnostic.
private func errors(_ source: String) -> [String] {
    parse(source).diagnostics.map { "\($0.loc): \($0.message)" }
}

private func isIncomplete(_ source: String) -> Bool {
    let diagnostics = parse(source).diagnostics
    return !diagnostics.isEmpty && diagnostics.allSatisfy(\.isIncomplete)
}

@Suite struct ParserTests {
    // MARK: precedence

    @Test func arithmeticPrecedence() {
        #expect(tree("1 + 2 * 3") == "(+ 1 (* 2 3))")
        #expect(tree("1 - 2 - 3") == "(- (- 1 2) 3)")
        #expect(tree("a // b % c * d / e") == "(/ (* (% (// a b) c) d) e)")
        #expect(tree("-2 * 3") == "(* (- 2) 3)")
        #expect(tree("--x") == "(- (- x))")
        #expect(tree("(1 + 2) * 3") == "(* (+ 1 2) 3)")
        #expect(tree("1.5 + 2") == "(+ 1.5 2)")
    }

    /// Python's order: comparisons < | < ^ < & < shifts < + - < * / // % < unary - ~ < **.
    @Test func powerAndBitwisePrecedence() {
        #expect(tree("-2 ** 2") == "(- (** 2 2))")
        #expect(tree("2 ** 3 ** 2") == "(** 2 (** 3 2))")
        #expect(tree("2 ** -x") == "(** 2 (- x))")
        #expect(tree("a * b ** c") == "(* a (** b c))")
        #expect(tree("~a ** 2") == "(~ (** a 2))")
        #expect(tree("a | b ^ c & d << e + f") == "(| a (^ b (& c (<< d (+ e f)))))")
        #expect(tree("a & b == c") == "(== (& a b) c)")
        #expect(tree("a >> b >> c") == "(>> (>> a b) c)")
        #expect(tree("f(x) ** 2") == "(** (call f x) 2)")
    }

    /// A long chain is kept flat (`.chain`) but stands for the same left-leaning tree.
    @Test func longChainsAreFlatButMeanTheSame() {
        let n = Parser.longChain + 6
        let terms = (1...n).map { "x\($0)" }
        let expected = terms.dropFirst().reduce(terms[0]) { "(+ \($0) \($1))" }
        #expect(tree(terms.joined(separator: " + ")) == expected)
        guard case .chain(_, let links)? = expr(terms.joined(separator: " + "))?.kind else {
            Issue.record("a long chain should be one .chain node"); return
        }
        #expect(links.count == n - 1)
        let mixed = (1...n).map { "p\($0)" }.joined(separator: " or ") + " and q"
        #expect(tree(mixed).hasSuffix(" (and p\(n) q))"))
        // Short chains stay trees, so the compiler's patterns for `i < n` and `a + 1` still match.
        guard case .binary? = expr("a + b + c")?.kind else { Issue.record("short chain"); return }
        // Brackets still nest: a chain inside 300 parentheses is too deep.
        #expect(
            errors(String(repeating: "(", count: 300) + "1 + 2" + String(repeating: ")", count: 300))
                .contains { $0.hasSuffix("too much nesting") })
    }

    @Test func logicalAndComparisonPrecedence() {
        #expect(tree("a or b and c") == "(or a (and b c))")
        #expect(tree("a and b or c and d") == "(or (and a b) (and c d))")
        #expect(tree("not a == b") == "(not (== a b))")
        #expect(tree("not not a and b") == "(and (not (not a)) b)")
        #expect(tree("a < b == c") == "(== (< a b) c)")
        #expect(tree("1 < 2 < 3") == "(< (< 1 2) 3)")
        #expect(tree("a + 1 >= b * 2 != c") == "(!= (>= (+ a 1) (* b 2)) c)")
        #expect(tree("x != nil and -x.y <= 0") == "(and (!= x nil) (<= (- (. x y)) 0))")
    }

    @Test func postfixOperators() {
        #expect(tree("f(x)(y)") == "(call (call f x) y)")
        #expect(tree("-a.b(c)[d]") == "(- (index (.b a c) d))")
        #expect(tree("m.k.j") == "(. (. m k) j)")
        #expect(tree("xs[0][1]") == "(index (index xs 0) 1)")
        #expect(tree("f()") == "(call f)")
        #expect(tree("f(1, 2,)") == "(call f 1 2)")
        #expect(tree("co.throw(e); c.from") == "(.throw co e); (. c from)")
        #expect(tree("\"abc\".upper()") == "(.upper \"abc\")")
    }

    @Test func yieldAndSpawnTakeTheWholeExpression() {
        #expect(tree("yield") == "(yield)")
        #expect(tree("yield a + b") == "(yield (+ a b))")
        #expect(tree("yield from co") == "(yield-from co)")
        #expect(tree("x = yield from gen(1) or 2") == "(= x (yield-from (or (call gen 1) 2)))")
        #expect(tree("f(yield, yield 1)") == "(call f (yield) (yield 1))")
        #expect(tree("[yield]; {a: yield}") == "(list (yield)); (map (\"a\" (yield)))")
        #expect(tree("let d = yield; print(d)") == "(let d (yield)); (call print d)")
        #expect(tree("yield yield x") == "(yield (yield x))")
        #expect(tree("if x { yield }") == "(if x {(yield)})")
        #expect(tree("spawn f(1) + 2") == "(spawn (+ (call f 1) 2))")
        #expect(tree("let t = spawn dish(\"x\", [])") == "(let t (spawn (call dish \"x\" (list))))")
        #expect(tree("spawn g") == "(spawn g)")
        #expect(tree("(yield 1) + 1") == "(+ (yield 1) 1)")
    }

    @Test func prefixKeywordsInsideExpressionsNeedParentheses() {
        #expect(
            errors("x = 1 + yield 2")
                == ["1:9: expected expression, found 'yield'; put the 'yield' expression in parentheses"])
        #expect(
            errors("x = a == not b")
                == ["1:10: expected expression, found 'not'; put the 'not' expression in parentheses"])
        #expect(
            errors("-spawn f()")
                == ["1:2: expected expression, found 'spawn'; put the 'spawn' expression in parentheses"])
    }

    // MARK: locations

    @Test func expressionLocations() {
        #expect(expr("a + b")?.loc == SourceLoc(line: 1, column: 3))
        #expect(expr("  f (x)")?.loc == SourceLoc(line: 1, column: 5))
        #expect(expr("xs[1]")?.loc == SourceLoc(line: 1, column: 3))
        #expect(expr("m . name")?.loc == SourceLoc(line: 1, column: 5))
        #expect(expr("m.push(1)")?.loc == SourceLoc(line: 1, column: 3))
        #expect(expr("not x")?.loc == SourceLoc(line: 1, column: 1))
        #expect(expr("a or b")?.loc == SourceLoc(line: 1, column: 3))
        #expect(expr("  [1]")?.loc == SourceLoc(line: 1, column: 3))
        #expect(expr("yield 1")?.loc == SourceLoc(line: 1, column: 1))
        guard case .binary(_, let left, let right)? = expr("x * \"é${y}\"")?.kind else {
            Issue.record("not a binary")
            return
        }
        #expect(left.loc == SourceLoc(line: 1, column: 1))
        #expect(right.loc == SourceLoc(line: 1, column: 5))
        guard case .interpolation(let parts) = right.kind, case .expr(let y)? = parts.last else { return }
        #expect(y.loc == SourceLoc(line: 1, column: 9))
    }

    @Test func statementLocations() {
        let program = parse("let x = 1\n  x += 2\nm.k = 3\nfn f(a, b) {\n}\nif x { }").program
        #expect(program.map { "\($0.loc)" } == ["1:1", "2:5", "3:5", "4:1", "6:1"])
        guard case .let(_, let nameLoc, _) = program[0].kind,
            case .function(let decl) = program[3].kind
        else {
            Issue.record("unexpected statements")
            return
        }
        #expect(nameLoc == SourceLoc(line: 1, column: 5))
        #expect(decl.params.map { "\($0.name)@\($0.loc)" } == ["a@4:6", "b@4:9"])
        #expect(decl.loc == SourceLoc(line: 4, column: 1))
        #expect(decl.endLoc == SourceLoc(line: 5, column: 1))
    }

    // MARK: statements

    @Test func letStatements() {
        #expect(tree("let x = 1; let y") == "(let x 1); (let y nil)")
        #expect(tree("let f = fn(a, b) { return a + b }") == "(let f (fn _ (a b) {(return (+ a b))}))")
    }

    @Test func assignments() {
        #expect(
            tree("x = 1; x += 2; x -= 3; x *= 4; x /= 5; x //= 6; x %= 7")
                == "(= x 1); (+= x 2); (-= x 3); (*= x 4); (/= x 5); (//= x 6); (%= x 7)")
        #expect(
            tree("a[i] = 1; m.name += 2; a[0].b[1] = 3")
                == "(= (index a i) 1); (+= (. m name) 2); (= (index (. (index a 0) b) 1) 3)")
        #expect(tree("x =\n  1") == "(= x 1)")
    }

    @Test func invalidAssignmentTargets() {
        #expect(errors("f() = 1") == ["1:1: invalid assignment target"])
        #expect(errors("1 = 2") == ["1:1: invalid assignment target"])
        #expect(errors("a + b += 3") == ["1:1: invalid assignment target"])
        #expect(
            errors("m.f(x) = 3\nx = 1 = 2")
                == ["1:1: invalid assignment target", "2:7: expected end of line or ';' after statement, found '='"])
    }

    @Test func functionDeclarationsAndLiterals() {
        #expect(tree("fn add(a, b) { return a + b }") == "(fn add (a b) {(return (+ a b))})")
        #expect(tree("fn f() {}") == "(fn f () {})")
        #expect(tree("fn f(a,\n b,\n) {\n}") == "(fn f (a b) {})")
        #expect(tree("fn() { return 1 }()") == "(call (fn _ () {(return 1)}))")
        #expect(tree("fn (x) { x }") == "(fn _ (x) {x})")
        #expect(tree("fn f() { fn g() { return }; return g }") == "(fn f () {(fn g () {(return)}); (return g)})")
        #expect(tree("fn f() {\n  return\n}") == "(fn f () {(return)})")
    }

    @Test func duplicateParameters() {
        #expect(errors("fn f(x, y, x) { }") == ["1:12: duplicate parameter 'x'"])
        #expect(errors("let g = fn(a, a, a) { }") == ["1:15: duplicate parameter 'a'", "1:18: duplicate parameter 'a'"])
    }

    @Test func ifElseChains() {
        #expect(tree("if a { x } else if b { y } else { z }") == "(if a {x} else {(if b {y} else {z})})")
        #expect(tree("if a {\n  x\n}\nelse {\n  y\n}") == "(if a {x} else {y})")
        #expect(tree("if a {\n}\n\n# comment\n\nelse if b {\n}\nelse {\n}") == "(if a {} else {(if b {} else {})})")
        #expect(tree("if a { }\nx") == "(if a {}); x")
    }

    @Test func loopsAndJumps() {
        #expect(tree("while i < n { yield i; i += 1 }") == "(while (< i n) {(yield i); (+= i 1)})")
        #expect(tree("for x in range(3) {\n print(x)\n}") == "(for x (call range 3) {(call print x)})")
        #expect(tree("while true { break; continue }") == "(while true {break; continue})")
        #expect(tree("return; return 1; return\nx") == "(return); (return 1); (return); x")
        #expect(tree("fn f() { return }") == "(fn f () {(return)})")
    }

    @Test func tryCatchAndThrow() {
        #expect(
            tree("try { risky() } catch e { print(e.message) }")
                == "(try {(call risky)} catch e {(call print (. e message))})")
        #expect(tree("try {\n a()\n}\ncatch {\n}") == "(try {(call a)} catch _ {})")
        #expect(tree("throw error(\"boom\")") == "(throw (call error \"boom\"))")
        let program = parse("try { } catch err { }").program
        guard case .try(_, let clause?, _)? = program.first?.kind else {
            Issue.record("not a try")
            return
        }
        #expect(clause.loc == SourceLoc(line: 1, column: 15))
        #expect(tree("try { a() } finally { b() }") == "(try {(call a)} finally {(call b)})")
        #expect(tree("try {\n a()\n}\ncatch e {\n}\nfinally {\n b()\n}") == "(try {(call a)} catch e {} finally {(call b)})")
    }

    @Test func listsAndMaps() {
        #expect(tree("[1, \"a\", nil,]") == "(list 1 \"a\" nil)")
        #expect(tree("[]; {}") == "(list); (map)")
        #expect(
            tree("x = {\"a\": 1, b: 2, 3: x, (k): v, true: 1,}")
                == "(= x (map (\"a\" 1) (\"b\" 2) (3 x) (k v) (true 1)))")
        #expect(tree("m = {\n  a:\n    1\n  ,\n  b: 2\n\n}\nprint(m)") == "(= m (map (\"a\" 1) (\"b\" 2))); (call print m)")
        #expect(tree("m = {a: 1\n + 2, b: [\n3]}") == "(= m (map (\"a\" (+ 1 2)) (\"b\" (list 3))))")
        #expect(tree("m = {a\n: 1}") == "(= m (map (\"a\" 1)))")
    }

    @Test func blocksInsideMapsKeepTheirNewlines() {
        let source = "let obj = {\n  f: fn(x) {\n    let y = x\n    return y\n  },\n  g: {k: fn() { a\n b }},\n}\nobj.f(1)"
        #expect(
            tree(source)
                == "(let obj (map (\"f\" (fn _ (x) {(let y x); (return y)})) (\"g\" (map (\"k\" (fn _ () {a; b})))))); (.f obj 1)")
    }

    @Test func interpolation() {
        #expect(tree("\"a${x + 1}b\"") == "(interp \"a\" (+ x 1) \"b\")")
        #expect(tree("\"${name}: ${step[0]}\"") == "(interp name \": \" (index step 0))")
        #expect(tree("\"${ {\"k\": \"}\"}[\"k\"] }\"") == "(interp (index (map (\"k\" \"}\")) \"k\"))")
        #expect(tree("\"${ \"in${1}\" }\"") == "(interp (interp \"in\" 1))")
        #expect(tree("\"${fn() { return 1 }()}\"") == "(interp (call (fn _ () {(return 1)})))")
    }

    @Test func interpolationErrors() {
        #expect(errors("x = \"${}\"") == ["1:8: empty interpolation '${}'"])
        #expect(
            errors("x = \"${a b}\"\ny = )") == [
                "1:10: expected '}' after the interpolated expression, found 'b'",
                "2:5: expected expression, found ')'",
            ])
        #expect(errors("\"${(a}\"") == ["1:6: expected ')' after expression, found '}'"])
    }

    @Test func sectionOneProgramParses() {
        let source = """
            # the cook from the kitchen
            fn dish(name, steps) {
              for step in steps {
                print("${name}: ${step[0]}")
                sleep(step[1])              # waiting
              }
              return name
            }

            let steak = spawn dish("steak", [["defrost", 3], ["oven", 10]])
            let eggs  = spawn dish("eggs",  [["boil", 6], ["peel", 1]])
            print("served: ${[steak.join(), eggs.join()]}")
            fn counter(n) {
              let i = 0
              while i < n { yield i; i += 1 }
              return "done"
            }
            let co = coroutine(counter, 3)
            print(co.next(), co.next(), co.status)     # 0 1 suspended
            for x in coroutine(counter, 3) { print(x) }
            fn consumer() {
              while true { let data = yield; print("consumer: received ${data}") }
            }
            let c = coroutine(consumer)
            c.send(7)
            """
        let result = parse(source)
        #expect(result.diagnostics.isEmpty)
        #expect(result.program.count == 11)
    }

    // MARK: errors and recovery

    @Test func clearMessages() {
        #expect(errors(")") == ["1:1: unexpected ')'"])
        #expect(errors("let = 3") == ["1:5: expected a variable name after 'let', found '='"])
        #expect(errors("let if = 3") == ["1:5: 'if' is a keyword and cannot be used as a variable name"])
        #expect(errors("if x print(x)") == ["1:6: expected '{' after if condition, found 'print'"])
        #expect(errors("if x = 1 { }") == ["1:6: expected '{' after if condition, found '='; use '==' to compare values"])
        #expect(errors("f(1 2)") == ["1:5: expected ')' after arguments, found '2'"])
        #expect(errors("x = }") == ["1:5: expected expression, found '}'"])
        #expect(errors("[1 2]") == ["1:4: expected ',' or ']' after list element, found '2'"])
        #expect(errors("m = {a 1}") == ["1:8: expected ':' after map key, found '1'"])
        #expect(errors("m = {a: 1 b: 2}") == ["1:11: expected ',' or '}' after map entry, found 'b'"])
        #expect(errors("print(1) print(2)") == ["1:10: expected end of line or ';' after statement, found 'print'"])
        #expect(errors("let x = 1)") == ["1:10: unexpected ')'"])
        #expect(errors("}") == ["1:1: unexpected '}'"])
        #expect(errors("else { }") == ["1:1: 'else' without a matching 'if'"])
        #expect(errors("fn 3() {}") == ["1:4: expected a function name after 'fn', found '3'"])
        #expect(errors("fn f(1) {}") == ["1:6: expected a parameter name, found '1'"])
        #expect(errors("fn f(a b) {}") == ["1:8: expected ',' or ')' after parameter, found 'b'"])
        #expect(errors("fn f() return 1") == ["1:8: expected '{' before the function body, found 'return'"])
        #expect(
            errors("let f = fn g() {}") == [
                "1:12: a function expression has no name: write 'fn (...) { }', or declare 'fn g(...) { }' as a statement"
            ])
        #expect(errors("for 1 in x {}") == ["1:5: expected a loop variable name after 'for', found '1'"])
        #expect(errors("for x of y {}") == ["1:7: expected 'in' after the loop variable, found 'of'"])
        #expect(errors("try { } x") == ["1:9: expected 'catch' or 'finally' after the try block, found 'x'"])
        #expect(errors("throw") == ["1:6: expected a value after 'throw', found end of input"])
        #expect(errors("x.1") == ["1:3: expected a field or method name after '.', found '1'"])
        #expect(errors("xs[1") == ["1:3: '[' was never closed"])
        #expect(errors("f(\"a\" x)") == ["1:7: expected ')' after arguments, found 'x'"])
    }

    @Test func manyIndependentErrorsAreReported() {
        let source = """
            let = 1
            print("fine")
            x = (1 +
            ]
            if y { z = ) }
            let ok = [1, 2 3]
            w = 1 @ 2
            print("still parsed")
            """
        #expect(
            errors(source) == [
                "1:5: expected a variable name after 'let', found '='",
                "4:1: expected expression, found ']'",
                "5:12: expected expression, found ')'",
                "6:16: expected ',' or ']' after list element, found '3'",
                "7:7: unexpected character '@'",
            ])
        let program = parse(source).program.map(show)
        // A statement followed by an error still arrives (the program will not run anyway).
        #expect(program == ["(call print \"fine\")", "(if y {})", "(= w 1)", "(call print \"still parsed\")"])
    }

    @Test func recoveryDoesNotCascade() {
        // An error inside a block or map must not leave a stray `}` behind.
        #expect(errors("fn f() {\n  x = )\n  y = 2\n}\nz = 3") == ["2:7: expected expression, found ')'"])
        #expect(errors("m = {a: 1, b: }\nprint(m)") == ["1:15: expected expression, found '}'"])
        #expect(errors("if x = 3 {\n  a()\n}\nelse {\n  b()\n}").count == 1)
        #expect(errors("while (x {\n a\n}\nb = 1 @").count == 2)
        #expect(errors("print(\"abc)\nprint(1)") == ["1:7: unterminated string"])
        #expect(tree("fn f() {\n  if a { b }\n}") == "(fn f () {(if a {b})})")
        // An unclosed `(` inside a block: the block's `}` still closes the block.
        #expect(errors("fn f() {\n  x = (1 +\n}\ny = 2") == ["3:1: expected expression, found '}'"])
        #expect(
            errors("fn f() {\n  g(1, [2\n}\nf(") == [
                "3:1: expected ',' or ']' after list element, found '}'",
                "4:2: '(' was never closed",
            ])
    }

    // MARK: incomplete input

    @Test func incompleteInput() {
        for source in [
            "fn f() {", "[1, 2", "x = 1 +", "if x {", "if x {\n  print(1)\n", "f(", "f(1,",
            "{\"a\": 1,", "m = {a:", "try { } ", "x = (1 +\n 2",
            "if x { } else", "let", "fn f(a,", "while x", "for x in", "xs[", "x.", "-", "not",
            "spawn", "yield from", "let f = fn() {\n  let g = fn() {\n",
        ] {
            #expect(isIncomplete(source), "\(source.debugDescription) should be incomplete")
        }
        // Strings cannot span lines: an unclosed one is an error at once, not a `...` prompt.
        for source in ["\"abc", "x = \"${1 + "] {
            #expect(!isIncomplete(source), "\(source.debugDescription) should not be incomplete")
        }
    }

    @Test func completeOrPlainErrors() {
        for source in [")", "let = 3", "\"abc\n", "x = 1 + )", "}", "f(1 2", "if x { ) ", "x = \"${}\" + ("] {
            #expect(!isIncomplete(source), "\(source.debugDescription) should not be incomplete")
        }
        for source in ["yield", "return", "x = 1", "if x {\n}", "fn f() { }\n", "# comment", ""] {
            #expect(parse(source).diagnostics.isEmpty, "\(source.debugDescription) should be complete")
        }
    }

    @Test func incompleteInputReportsTheOpener() {
        let diagnostics = parse("let xs = [\n  1,\n  2,\n").diagnostics
        #expect(diagnostics.map { "\($0.loc): \($0.message)" } == ["1:10: '[' was never closed"])
        #expect(errors("fn f() {\n  if x {\n") == ["2:8: '{' was never closed"])
    }

    // MARK: limits and bad input

    @Test(arguments: [
        "(", "[", "-", "not ", "f(", "x[", "{a: ", "[{a: (", "if x { ", "fn() { ",
        "if x { } else ", "yield ", "spawn ",
    ])
    func deepNestingIsADiagnostic(prefix: String) {
        let source = String(repeating: prefix, count: 10_000) + "1"
        let diagnostics = parse(source).diagnostics
        #expect(diagnostics.contains { $0.message == "too much nesting" })
        #expect(diagnostics.count <= 2)
    }

    @Test(arguments: [" + 1", " and x", " or x", " < 1", " * 2 - 1"])
    func longOperatorChainsAreNotNesting(suffix: String) {
        // Issue 11: a flat chain is one `.chain` node, however long.
        #expect(parse("x = 1" + String(repeating: suffix, count: 10_000)).diagnostics.isEmpty)
    }

    @Test(arguments: ["()", "[0]", ".f", ".m()"])
    func longPostfixChainsAreLimited(suffix: String) {
        // Postfix chains are still trees as deep as they are long (docs/DECISIONS.md).
        let diagnostics = parse("x = 1" + String(repeating: suffix, count: 10_000)).diagnostics
        #expect(diagnostics.map(\.message) == ["too much nesting"])
        #expect(parse("x = 1" + String(repeating: suffix, count: 100)).diagnostics.isEmpty)
    }

    @Test func moderateNestingIsFine() {
        let depth = 60
        #expect(
            parse(String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth))
                .diagnostics.isEmpty)
        #expect(parse(String(repeating: "-", count: depth) + "1").diagnostics.isEmpty)
        #expect(
            parse(String(repeating: "if x { ", count: depth) + String(repeating: "}", count: depth))
                .diagnostics.isEmpty)
    }

    @Test func badBytesAreDiagnostics() {
        let result = Parser.parse(
            bytes: Array("x = 1\ny = ".utf8) + [0xFF, 0xFE] + Array("\nz = \"a".utf8) + [0, 0x22],
            file: "t.co")
        #expect(
            result.diagnostics.map { "\($0.loc): \($0.message)" }
                == ["2:5: invalid UTF-8 byte 0xFF", "2:6: invalid UTF-8 byte 0xFE", "3:7: invalid NUL byte in source"])
    }

    @Test func randomInputNeverTraps() {
        let alphabet =
            Array("()[]{}\"'$\\#,.:;=+-*/%<>!&|@ \n\tabxyz019_é😀".unicodeScalars).map { String($0) }
            + ["let ", "fn ", "if ", "else ", "yield ", "from ", "spawn ", "try ", "catch ", "${", "not ", "\u{0}"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func nextRandom(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<3_000 {
            let source = (0..<nextRandom(40)).map { _ in alphabet[nextRandom(alphabet.count)] }.joined()
            _ = Parser.parse(source: source, file: "fuzz")
            let bytes = (0..<nextRandom(30)).map { _ in UInt8(truncatingIfNeeded: nextRandom(256)) }
            _ = Parser.parse(bytes: bytes, file: "fuzz")
        }
    }
}
