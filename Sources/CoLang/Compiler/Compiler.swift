// Compiles the syntax tree of a script (or REPL input) into function prototypes.
import CoLangSyntax

/// A single-pass compiler from AST to bytecode, resolving names to local slots, upvalues and
/// global slots, and computing each function's stack needs.
final class Compiler {
    let source: SourceText
    let globals: GlobalTable
    /// Interned method names: `INVOKE` carries the id so a call needs no string hashing.
    let methodIDs: GlobalTable
    let heap: Heap
    let isPrelude: Bool
    /// REPL mode: top-level expression statements echo their value through `echo`.
    let echo: Value?
    private(set) var diagnostics: [Diagnostic] = []
    var fs: FunctionState
    /// The functions of the program being compiled whose body contains `yield`.
    var yieldingNames: Set<String> = []
    /// One string object per distinct string constant of the whole program, shared by every
    /// function using it: a field name in a map literal (`{x: 1}`) and in `m.x` elsewhere is
    /// then the same object, which `MapObj.sameKey` recognises without comparing bytes. Each
    /// prototype's constants hold (and the collector marks) the objects it uses.
    private var sharedStrings: [CodePoints: Value] = [:]

    init(source: SourceText, globals: GlobalTable, methodIDs: GlobalTable, heap: Heap, isPrelude: Bool = false, echo: Value? = nil) {
        self.source = source; self.globals = globals; self.methodIDs = methodIDs; self.heap = heap
        self.isPrelude = isPrelude; self.echo = echo
        fs = FunctionState(enclosing: nil, name: "<script>", arity: 0, isScript: true)
    }

    /// Compiles a whole program into the prototype of its top-level function.
    func compileScript(_ program: [Stmt]) -> FunctionProto? {
        yieldingNames = YieldScan.yieldingFunctionNames(program)
        for stmt in program { statement(stmt) }
        let end = program.last?.loc ?? SourceLoc(line: 1, column: 1)
        emit(.nil, end)
        emit(.return, end)
        guard diagnostics.isEmpty else { return nil }
        return finish(fs)
    }

    // MARK: - Emitting

    func error(_ message: String, _ loc: SourceLoc) {
        // A `finally` block is compiled once per way out of its `try`: say each problem once.
        if diagnostics.contains(where: { $0.loc == loc && $0.message == message }) { return }
        diagnostics.append(Diagnostic(file: source.name, loc: loc, message: message))
    }

    @inline(__always) private func note(_ loc: SourceLoc) {
        if fs.positions.last?.loc != loc {
            if let last = fs.positions.last, last.offset == fs.code.count {
                fs.positions[fs.positions.count - 1].loc = loc
            } else {
                fs.positions.append((fs.code.count, loc))
            }
        }
    }

    /// Emits `op` with its operands, written as the opcode table says (`OpCode.layout`), and
    /// moves the tracked stack depth by the opcode's stack effect for those operands.
    /// `CLOSURE`'s captures follow with `u8`.
    func emit(_ op: OpCode, _ loc: SourceLoc, _ operands: Int...) {
        emit(op, loc, operands: operands)
    }

    private func emit(_ op: OpCode, _ loc: SourceLoc, operands: [Int]) {
        let layout = op.layout
        assert(operands.count == layout.operands.count, "\(op.mnemonic) takes \(layout.operands.count) operands")
        note(loc)
        fs.code.append(op.rawValue)
        for (kind, value) in zip(layout.operands, operands) {
            switch kind {
            case .u8: u8(value)
            case .u16: u16(value)
            case .u32: u32(value)
            }
        }
        fs.maxDepth = max(fs.maxDepth, fs.depth + layout.transient)
        adjustDepth(op.stackEffect(operands))
    }

    /// Moves the tracked stack depth by `n`, keeping the high-water mark that sizes the frame.
    /// Used directly only where control flow, not an instruction, changes the depth.
    func adjustDepth(_ n: Int) {
        fs.depth += n
        if fs.depth > fs.maxDepth { fs.maxDepth = fs.depth }
    }
    func u8(_ v: Int) { fs.code.append(UInt8(truncatingIfNeeded: v)) }
    private func u16(_ v: Int) { fs.code.append(UInt8(truncatingIfNeeded: v)); fs.code.append(UInt8(truncatingIfNeeded: v >> 8)) }
    private func u32(_ v: Int) {
        for shift in stride(from: 0, to: 8 * OperandKind.u32.size, by: 8) { fs.code.append(UInt8(truncatingIfNeeded: v >> shift)) }
    }
    /// Emits a jump whose target (its last operand) is a placeholder; returns where to patch it.
    /// `operands` are the ones before the target.
    func emitJump(_ op: OpCode, _ loc: SourceLoc, _ operands: Int...) -> Int {
        assert(op.targetOperand == op.layout.operands.count - 1, "\(op.mnemonic) has no trailing jump target")
        emit(op, loc, operands: operands + [0])
        return fs.code.count - OperandKind.u32.size
    }
    func patch(_ at: Int, to target: Int? = nil) {
        let t = target ?? fs.code.count
        for i in 0..<OperandKind.u32.size { fs.code[at + i] = UInt8(truncatingIfNeeded: t >> (8 * i)) }
    }
    func emitLoop(to start: Int, _ loc: SourceLoc) {
        emit(.loop, loc, start)
    }

    func constant(_ v: Value, _ loc: SourceLoc) -> Int {
        if fs.constants.count >= CompilerLimits.constants {
            error("too many constants in one function", loc)
            return 0
        }
        fs.constants.append(v)
        return fs.constants.count - 1
    }
    func stringConstant(_ s: String, _ loc: SourceLoc) -> Int {
        let key = CodePoints(s)
        if let i = fs.stringConstants[key] { return i }
        let value: Value
        if let v = sharedStrings[key] {
            value = v
        } else {
            value = Value(object: heap.string(s), tag: .string)
            sharedStrings[key] = value
        }
        let i = constant(value, loc)
        fs.stringConstants[key] = i
        return i
    }
    func emitInt(_ n: Int64, _ loc: SourceLoc) {
        if CompilerLimits.smallInts.contains(n) {
            emit(.smallInt, loc, Int(UInt16(bitPattern: Int16(n))))
        } else {
            let i: Int
            if let c = fs.intConstants[n] { i = c } else { i = constant(Value(n), loc); fs.intConstants[n] = i }
            emit(.constant, loc, i)
        }
    }
    func emitConstant(_ v: Value, _ loc: SourceLoc) {
        let i = constant(v, loc)
        emit(.constant, loc, i)
    }

    func finish(_ state: FunctionState) -> FunctionProto {
        let proto = FunctionProto(
            name: state.name, arity: state.arity, source: source, isPrelude: isPrelude,
            code: state.code, constants: state.constants, positions: state.positions,
            protos: state.protos, upvalues: state.upvalues, maxStack: state.maxDepth)
        proto.containsYield = state.containsYield
        proto.plainCallHints = state.plainCallHints
        proto.rangeLoopCalls = state.rangeLoopCalls
        proto.localNames = state.localNames.map {
            LocalName(slot: $0.slot, name: $0.name, range: $0.range.lowerBound..<min($0.range.upperBound, state.code.count))
        }
        proto.upvalueNames = state.upvalueNames
        return proto
    }

    // MARK: - Scopes

    func beginScope() { fs.scopeDepth += 1 }

    /// Ends a scope, popping (or closing) its locals; with `keepingBottom`, the first local of
    /// the scope is forgotten without a pop, for an instruction that pops it itself (`FOR_LOOP`).
    func endScope(_ loc: SourceLoc, keepingBottom: Bool = false) {
        fs.scopeDepth -= 1
        var pops = 0
        while let last = fs.locals.last, last.depth > fs.scopeDepth {
            fs.locals.removeLast()
            let isBottom = fs.locals.last.map { $0.depth <= fs.scopeDepth } ?? true
            if !(keepingBottom && isBottom) { discard(last, pendingPops: &pops, loc) }
            endLocalName(slot: fs.locals.count)
        }
        emitPops(&pops, loc)
    }

    /// Drops `local` from the stack: a captured one closes its upvalue at once (after the plain
    /// locals above it, counted in `pendingPops`, are popped); a plain one is counted, for
    /// `emitPops` to pop with its neighbours in one instruction.
    private func discard(_ local: Local, pendingPops: inout Int, _ loc: SourceLoc) {
        if local.captured {
            emitPops(&pendingPops, loc)
            emit(.closeUpvalue, loc)
        } else {
            pendingPops += 1
        }
    }

    /// Pops `count` plain locals, as one `POP_N` when more than one, and sets `count` to 0.
    private func emitPops(_ count: inout Int, _ loc: SourceLoc) {
        if count == 1 {
            emit(.pop, loc)
        } else if count > 1 {
            emit(.popN, loc, count)  // at most CompilerLimits.localSlots (a u8)
        }
        count = 0
    }

    /// Emits pops (or upvalue closes) for locals above `count`, without forgetting them:
    /// used by `break` and `continue`, which leave scopes early.
    func discardLocals(downTo count: Int, _ loc: SourceLoc) {
        var i = fs.locals.count - 1
        var pops = 0
        while i >= count {
            discard(fs.locals[i], pendingPops: &pops, loc)
            i -= 1
        }
        emitPops(&pops, loc)
    }

    /// Declares a local for the value on top of the stack.
    func addLocal(_ name: String, _ loc: SourceLoc) {
        if !name.hasPrefix("(") {
            var i = fs.locals.count - 1
            while i > 0, fs.locals[i].depth >= fs.scopeDepth {
                if fs.locals[i].name == name {
                    error("'\(name)' is already declared in this scope", loc)
                    break
                }
                i -= 1
            }
        }
        if fs.locals.count >= CompilerLimits.localSlots {
            error("too many local variables in one function (the limit is \(CompilerLimits.localSlots - 1))", loc)
        }
        fs.localNames.append(LocalName(slot: fs.locals.count, name: name, range: fs.code.count..<Int.max))
        fs.locals.append(Local(name: name, depth: fs.scopeDepth))
    }

    /// Closes the debug-info range of the local that lived in `slot` (its scope just ended).
    func endLocalName(slot: Int) {
        if let i = fs.localNames.lastIndex(where: { $0.slot == slot && $0.range.upperBound == Int.max }) {
            fs.localNames[i].range = fs.localNames[i].range.lowerBound..<fs.code.count
        }
    }

    /// Top-level `let` and `fn` in a script define globals; everything else is local.
    var declaresGlobals: Bool { fs.isScript && fs.scopeDepth == 0 }

    func resolveUpvalue(_ state: FunctionState, _ name: String) -> Int? {
        guard let enclosing = state.enclosing else { return nil }
        if let slot = enclosing.resolveLocal(name, fromInnerFunction: true) {
            enclosing.locals[slot].captured = true
            return addUpvalue(state, name: name, isLocal: true, index: slot)
        }
        if let up = resolveUpvalue(enclosing, name) {
            return addUpvalue(state, name: name, isLocal: false, index: up)
        }
        return nil
    }

    private func addUpvalue(_ state: FunctionState, name: String, isLocal: Bool, index: Int) -> Int {
        for (i, u) in state.upvalues.enumerated() where u.isLocal == isLocal && Int(u.index) == index {
            return i
        }
        if state.upvalues.count >= CompilerLimits.upvalues {
            error("too many captured variables in one function", .unknown)
            return 0
        }
        state.upvalues.append(UpvalueDesc(isLocal: isLocal, index: UInt8(truncatingIfNeeded: index)))
        state.upvalueNames.append(name)
        return state.upvalues.count - 1
    }

    /// Loads a variable by name.
    func emitGet(_ name: String, _ loc: SourceLoc) {
        if let slot = fs.resolveLocal(name) {
            emit(.getLocal, loc, slot)
        } else if let up = resolveUpvalue(fs, name) {
            emit(.getUpvalue, loc, up)
        } else {
            emit(.getGlobal, loc, globalSlot(name, loc))
        }
    }

    /// Stores the top of the stack into a variable and pops it (an assignment statement).
    func emitStore(_ name: String, _ loc: SourceLoc) {
        if let slot = fs.resolveLocal(name) {
            emit(.storeLocal, loc, slot)
        } else if let up = resolveUpvalue(fs, name) {
            emit(.storeUpvalue, loc, up)
        } else {
            emit(.storeGlobal, loc, globalSlot(name, loc))
        }
    }

    func globalSlot(_ name: String, _ loc: SourceLoc) -> Int {
        let slot = globals.slot(for: name)
        if slot > CompilerLimits.lastGlobalSlot { error("too many global variables", loc) }
        return slot
    }
}
