// Per-function compile state: locals, scopes, loops, and the bytecode being written.
import CoLangSyntax

/// A named stack slot of the function being compiled.
struct Local {
    var name: String
    var depth: Int
    var captured = false
    /// True while its `let` initializer is compiled: the initializer's own code still sees the
    /// outer `name` (`let x = x + 1`), but a function inside it captures this new variable
    /// (`let c = coroutine(fn() { yield c })`).
    var initializing = false
}

/// Where `break` and `continue` go, and what they must unwind.
struct LoopContext {
    var start: Int
    /// Locals alive at the top of each iteration: `break` and `continue` pop down to this count.
    var iterationLocals: Int
    var tryDepth: Int
    var breakJumps: [Int] = []
    /// Forward jumps of `continue` in a `while`, patched to its test at the bottom.
    var continueJumps: [Int] = []
    /// True for `for` loops, whose exit code expects the iterator and a result on the stack.
    var isFor: Bool
}

/// A `finally` block around the code being compiled (in its `try` or `catch` part). `return`,
/// `break` and `continue` that leave it run a copy of it first (as CPython compiles them), so a
/// `finally` needs no run-time bookkeeping on those paths.
struct FinallyContext {
    var body: [Stmt]
    var loc: SourceLoc
    /// Handlers installed outside the `try`: leaving it removes those above this count.
    var tryDepth: Int
    /// Loops outside the `try`: a `break` or `continue` of a loop inside it does not leave it.
    var loopCount: Int
    /// Locals declared before the `try`: a copy of the block must not see the later ones.
    var localCount: Int
}

/// The globals table: names to slots, shared by every compilation in one interpreter (REPL inputs).
final class GlobalTable {
    private(set) var names: [String] = []
    private var index: [String: Int] = [:]
    func slot(for name: String) -> Int {
        if let i = index[name] { return i }
        let i = names.count
        names.append(name)
        index[name] = i
        return i
    }
    func lookup(_ name: String) -> Int? { index[name] }
}

/// Everything the compiler tracks for one function body.
final class FunctionState {
    let enclosing: FunctionState?
    let name: String
    let arity: Int
    let isScript: Bool
    var code: [UInt8] = []
    var constants: [Value] = []
    var positions: [(offset: Int, loc: SourceLoc)] = []
    var protos: [FunctionProto] = []
    var upvalues: [UpvalueDesc] = []
    var locals: [Local] = []
    var scopeDepth = 0
    var depth = 0
    var maxDepth = 0
    var loops: [LoopContext] = []
    var tryDepth = 0
    /// The `finally` blocks around the code being compiled, outermost first.
    var finallies: [FinallyContext] = []
    /// Local slots a copied `finally` block must not see (declared inside its `try`).
    var hiddenLocals: [Range<Int>] = []
    /// Whether the body contains `yield` (or `yield from`).
    var containsYield = false
    /// Iterations and resumes of a plain call's result, by code offset (`PlainCallHint`).
    var plainCallHints: [Int: PlainCallHint] = [:]
    /// The `CALL`s of `for x in range(…)` loops, by code offset (`FunctionProto.rangeLoopCalls`).
    var rangeLoopCalls: [Int32] = []
    /// Variables set by `let x = f(...)`, with that call.
    var plainCallResults: [String: PlainCallHint] = [:]
    /// The local slot of each named function declared ahead of its block (see `hoistFunctions`).
    var hoisted: [ObjectIdentifier: Int] = [:]
    /// Debug info for the disassembler: each local's name and where it is alive (an open range
    /// ends at `Int.max` until its scope ends), and each upvalue's name.
    var localNames: [LocalName] = []
    var upvalueNames: [String] = []
    var intConstants: [Int64: Int] = [:]
    var stringConstants: [CodePoints: Int] = [:]  // by code points: "e\u{301}" and "\u{E9}" are two constants

    init(enclosing: FunctionState?, name: String, arity: Int, isScript: Bool) {
        self.enclosing = enclosing; self.name = name; self.arity = arity; self.isScript = isScript
        // Slot 0 holds the function being called.
        locals.append(Local(name: "", depth: 0))
        depth = 1
        maxDepth = 1
    }

    /// The slot of local `name`; `fromInnerFunction` also finds a variable whose initializer is
    /// being compiled (a closure in it may refer to it).
    func resolveLocal(_ name: String, fromInnerFunction: Bool = false) -> Int? {
        var i = locals.count - 1
        while i > 0 {
            if locals[i].name == name && (fromInnerFunction || !locals[i].initializing) && !isHidden(i) { return i }
            i -= 1
        }
        return nil
    }

    /// Whether slot `i` is out of sight of the `finally` copy being compiled.
    @inline(__always) private func isHidden(_ i: Int) -> Bool {
        !hiddenLocals.isEmpty && hiddenLocals.contains { $0.contains(i) }
    }
}
