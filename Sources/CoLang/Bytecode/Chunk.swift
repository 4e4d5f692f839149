// A compiled function: code bytes, constant pool, positions table and nested prototypes.
import CoLangSyntax

/// How a closure captures one upvalue when it is created.
struct UpvalueDesc {
    /// True: a local slot of the enclosing function; false: an upvalue of the enclosing closure.
    var isLocal: Bool
    var index: UInt8
}

/// Debug info: local `slot` is called `name` for the code in `range` (from its declaration to
/// the end of its scope), as Python's `co_varnames` lets `dis` name `LOAD_FAST` operands.
struct LocalName {
    let slot: Int
    let name: String
    var range: Range<Int>
}

/// A compiled function body. Immutable once the compiler finishes it; the code and constants
/// live in stable buffers so the VM reads them through raw pointers.
final class FunctionProto {
    let name: String
    let arity: Int
    let source: SourceText
    /// Prelude functions are hidden from tracebacks.
    let isPrelude: Bool
    // Sound: both buffers are allocated and filled in `init`, never resized, and freed only in
    // `deinit`; every closure that copies their base addresses holds this prototype.
    private(set) var code: UnsafeMutableBufferPointer<UInt8>
    private(set) var constants: UnsafeMutableBufferPointer<Value>
    /// For each constant, the entry number at which the last `m.name` or `m.name = v` with
    /// that constant as `name` found it (`MapObj.field`): objects built by the same code keep
    /// their fields in the same order, so it is nearly always right. Same lifetime and
    /// soundness as `constants`; a stale hint only costs a lookup.
    private(set) var fieldHints: UnsafeMutableBufferPointer<Int32>
    /// (code offset, position) pairs, ascending by offset: the position of code from that offset on.
    let positions: [(offset: Int, loc: SourceLoc)]
    let protos: [FunctionProto]
    let upvalues: [UpvalueDesc]
    /// Stack slots the function needs above its base (locals and temporaries).
    let maxStack: Int
    /// Used by the collector so a prototype's constants are marked once per cycle.
    var markEpoch: UInt32 = 0
    /// Whether its body contains `yield`: called plainly, it is not a generator.
    var containsYield = false
    /// Instructions that iterate or resume the result of a plain call, by code offset.
    var plainCallHints: [Int: PlainCallHint] = [:]
    /// The `CALL`s of `for x in range(…)` loops, by code offset, ascending: when the callee is
    /// the built-in `range`, they start the loop in ints instead of calling (`VM.callOther`).
    var rangeLoopCalls: [Int32] = []

    /// Whether the `CALL` at `offset` is a range loop's (`rangeLoopCalls`): a scan, as a function
    /// has a few such loops (a `Set` lookup hashed, a sixth of the loop's start, issue 17).
    func isRangeLoopCall(at offset: Int) -> Bool {
        for o in rangeLoopCalls where Int(o) >= offset { return Int(o) == offset }
        return false
    }

    init(
        name: String, arity: Int, source: SourceText, isPrelude: Bool, code: [UInt8], constants: [Value],
        positions: [(offset: Int, loc: SourceLoc)], protos: [FunctionProto], upvalues: [UpvalueDesc], maxStack: Int
    ) {
        self.name = name; self.arity = arity; self.source = source; self.isPrelude = isPrelude
        self.code = .allocate(capacity: max(code.count, 1))
        _ = self.code.initialize(from: code)
        self.constants = .allocate(capacity: max(constants.count, 1))
        _ = self.constants.initialize(from: constants)
        self.fieldHints = .allocate(capacity: max(constants.count, 1))
        self.fieldHints.initialize(repeating: 0)
        self.positions = positions; self.protos = protos; self.upvalues = upvalues; self.maxStack = maxStack
        self.codeCount = code.count
        self.constantCount = constants.count
    }

    let codeCount: Int
    let constantCount: Int

    /// Debug info for `--dis`: which name each local slot has where (set by `Compiler.finish`).
    var localNames: [LocalName] = []
    /// Debug info for `--dis`: the name of each upvalue, by index.
    var upvalueNames: [String] = []

    /// The name local `slot` has at code `offset`, if the compiler recorded one.
    func localName(_ slot: Int, at offset: Int) -> String? {
        localNames.last { $0.slot == slot && $0.range.contains(offset) }?.name
    }

    deinit {
        code.deallocate()
        constants.deallocate()
        fieldHints.deallocate()
    }

    /// The source position of the instruction at `offset`.
    func location(at offset: Int) -> SourceLoc {
        var lo = 0, hi = positions.count - 1, best = SourceLoc.unknown
        while lo <= hi {
            let mid = (lo + hi) / 2
            if positions[mid].offset <= offset { best = positions[mid].loc; lo = mid + 1 } else { hi = mid - 1 }
        }
        return best
    }
}
