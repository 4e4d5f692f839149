// A compiled function: code bytes, constant pool, positions table and nested prototypes.
import CoLangSyntax

/// How a closure captures one upvalue when it is created.
struct UpvalueDesc {
    /// True: a local slot of the enclosing function; false: an upvalue of the enclosing closure.
    var isLocal: Bool
    var index: UInt8
}

/// A named local's stack slot and the code range where it holds that variable (debug
/// information, as Lua's `locvars`: the deadlock report names channels by the locals that hold them).
struct LocalName {
    let slot: Int
    let name: String
    /// Code offsets: from `start` (its declaration) up to `end`.
    let start: Int
    var end: Int
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
    /// (code offset, position) pairs, ascending by offset: the position of code from that offset on.
    let positions: [(offset: Int, loc: SourceLoc)]
    let protos: [FunctionProto]
    let upvalues: [UpvalueDesc]
    /// Stack slots the function needs above its base (locals and temporaries).
    let maxStack: Int
    /// Used by the collector so a prototype's constants are marked once per cycle.
    var markEpoch: UInt32 = 0
    /// The named locals, for reports (set by the compiler once the function is finished).
    var localNames: [LocalName] = []

    init(
        name: String, arity: Int, source: SourceText, isPrelude: Bool, code: [UInt8], constants: [Value],
        positions: [(offset: Int, loc: SourceLoc)], protos: [FunctionProto], upvalues: [UpvalueDesc], maxStack: Int
    ) {
        self.name = name; self.arity = arity; self.source = source; self.isPrelude = isPrelude
        self.code = .allocate(capacity: max(code.count, 1))
        _ = self.code.initialize(from: code)
        self.constants = .allocate(capacity: max(constants.count, 1))
        _ = self.constants.initialize(from: constants)
        self.positions = positions; self.protos = protos; self.upvalues = upvalues; self.maxStack = maxStack
        self.codeCount = code.count
        self.constantCount = constants.count
    }

    let codeCount: Int
    let constantCount: Int

    deinit {
        code.deallocate()
        constants.deallocate()
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
