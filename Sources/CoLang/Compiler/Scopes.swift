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
    /// Every named local declared so far, with where it is live (see `LocalName`).
    var localNames: [LocalName] = []
    var scopeDepth = 0
    var depth = 0
    var maxDepth = 0
    var loops: [LoopContext] = []
    var tryDepth = 0
    /// The local slot of each named function declared ahead of its block (see `hoistFunctions`).
    var hoisted: [ObjectIdentifier: Int] = [:]
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
            if locals[i].name == name && (fromInnerFunction || !locals[i].initializing) { return i }
            i -= 1
        }
        return nil
    }
}
