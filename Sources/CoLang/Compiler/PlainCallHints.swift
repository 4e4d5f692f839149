// The learner trap Python users know: a function with `yield` called plainly runs as a plain
// call (in a task, each `yield` just gives up the turn), and iterating its result fails. Where
// the compiler sees `for x in numbers()`, `numbers().next()` or `let g = numbers()` then
// `g.next()`, it notes the call; if that iteration fails, the error says how to make a
// coroutine of it (`VM.withPlainCallHint`).
import CoLangSyntax

/// A call whose result is iterated or resumed at one instruction: the callee's name and how
/// many arguments it got.
struct PlainCallHint {
    var callee: String
    var argc: Int
    /// The compiler saw a `fn callee` with `yield` in this program; otherwise the callee is
    /// checked when the error happens (a global holding a function that contains `yield`).
    var knownToYield: Bool

    /// The coroutine methods whose receiver, a plain call's result, earns the hint.
    static let resumingMethods: Set<String> = ["next", "send", "resume", "throw", "close"]

    /// `numbers() ran as a plain call; coroutine(numbers) makes a generator`.
    var text: String {
        let args = argc == 0 ? "" : ", …"
        return "\(callee)(\(argc == 0 ? "" : "…")) ran as a plain call; coroutine(\(callee)\(args)) makes a generator"
    }
}

/// Finds the named functions of a program whose own body contains `yield` (not counting the
/// functions nested in it).
enum YieldScan {
    static func yieldingFunctionNames(_ program: [Stmt]) -> Set<String> {
        var names: Set<String> = []
        var scan = Walker(onFunction: { decl in
            if let name = decl.name, bodyYields(decl.body) { names.insert(name) }
        })
        scan.statements(program)
        return names
    }

    static func bodyYields(_ body: [Stmt]) -> Bool {
        var found = false
        var scan = Walker(onYield: { found = true }, entersFunctions: false)
        scan.statements(body)
        return found
    }

    /// Visits statements and expressions (the parser bounds their nesting).
    struct Walker {
        var onFunction: (FunctionDecl) -> Void = { _ in }
        var onYield: () -> Void = {}
        var entersFunctions = true

        mutating func statements(_ body: [Stmt]) { for s in body { statement(s) } }

        mutating func statement(_ s: Stmt) {
            switch s.kind {
            case .expr(let e), .throw(let e): expression(e)
            case .let(_, _, let e): expression(e)
            case .assign(let t, _, let v): expression(t); expression(v)
            case .function(let decl): function(decl)
            case .if(let c, let then, let els): expression(c); statements(then); statements(els ?? [])
            case .while(let c, let body): expression(c); statements(body)
            case .for(_, _, let it, let body): expression(it); statements(body)
            case .break, .continue: break
            case .return(let e): if let e { expression(e) }
            case .try(let body, let clause, let cleanup):
                statements(body); statements(clause?.body ?? []); statements(cleanup ?? [])
            }
        }

        mutating func function(_ decl: FunctionDecl) {
            onFunction(decl)
            if entersFunctions { statements(decl.body) }
        }

        mutating func expression(_ e: Expr) {
            switch e.kind {
            case .nilLit, .boolLit, .intLit, .floatLit, .string, .name: break
            case .interpolation(let parts):
                for case .expr(let x) in parts { expression(x) }
            case .list(let items): for x in items { expression(x) }
            case .map(let pairs): for p in pairs { expression(p.key); expression(p.value) }
            case .unary(_, let x), .field(let x, _), .spawn(let x): expression(x)
            case .binary(_, let a, let b), .logical(_, let a, let b), .index(let a, let b): expression(a); expression(b)
            case .chain(let first, let links): expression(first); for l in links { expression(l.operand) }
            case .call(let callee, let args): expression(callee); for a in args { expression(a) }
            case .method(let object, _, let args): expression(object); for a in args { expression(a) }
            case .function(let decl): function(decl)
            case .yield(let x):
                onYield()
                if let x { expression(x) }
            case .yieldFrom(let x):
                onYield()
                expression(x)
            }
        }
    }
}

extension Compiler {
    /// The plain call `e` is, if it is one of a function named by a bare name.
    func plainCall(_ e: Expr) -> PlainCallHint? {
        guard case .call(let callee, let args) = e.kind, case .name(let name) = callee.kind else { return nil }
        return PlainCallHint(callee: name, argc: args.count, knownToYield: yieldingNames.contains(name))
    }

    /// Notes that the instruction about to be emitted iterates or resumes `e`'s value.
    func noteIteration(of e: Expr) {
        var hint = plainCall(e)
        if hint == nil, case .name(let name) = e.kind { hint = fs.plainCallResults[name] }
        if let hint { fs.plainCallHints[fs.code.count] = hint }
    }
}
