// Compiling expressions: literals, operators, calls, functions, coroutines and spawn.
import CoLangSyntax

extension Compiler {
    func expression(_ e: Expr) {
        let loc = e.loc
        switch e.kind {
        case .nilLit: emit(.nil, loc)
        case .boolLit(let b): emit(b ? .true : .false, loc)
        case .intLit(let n): emitInt(n, loc)
        case .floatLit(let d): emitConstant(Value(d), loc)
        case .string(let s):
            emit(.constant, loc, stringConstant(s, loc))
        case .interpolation(let parts):
            for part in parts {
                switch part {
                case .text(let s): emit(.constant, loc, stringConstant(s, loc))
                case .expr(let inner): expression(inner)
                }
            }
            guard parts.count <= CompilerLimits.listElements else { return error("string has too many parts", loc) }
            emit(.buildString, loc, parts.count)
        case .name(let name):
            emitGet(name, loc)
        case .list(let items):
            guard items.count <= CompilerLimits.listElements else {
                return error("list literal has too many elements (the limit is \(CompilerLimits.listElements))", loc)
            }
            for item in items { expression(item) }
            emit(.buildList, loc, items.count)
        case .map(let pairs):
            guard pairs.count <= CompilerLimits.mapEntries else {
                return error("map literal has too many entries (the limit is \(CompilerLimits.mapEntries))", loc)
            }
            for pair in pairs { expression(pair.key); expression(pair.value) }
            emit(.buildMap, loc, pairs.count)
        case .unary(let op, let operand):
            expression(operand)
            switch op {
            case .neg: emit(.negate, loc)
            case .not: emit(.not, loc)
            case .bitNot: emit(.bitNot, loc)
            }
        case .binary(let op, let lhs, let rhs)
        where {
            if case .name(let a) = lhs.kind, case .name(let b) = rhs.kind,
                fs.resolveLocal(a) != nil, fs.resolveLocal(b) != nil
            {
                return true
            }; return false
        }():
            // Two locals: `-` and `*` of them in one instruction (reading a local cannot
            // fail, so the operator's position is the only one an error can have), any other
            // operator after one instruction that pushes both. Not `+`: its case in the
            // dispatch loop, shared with a fused one, paid a spill on every `ADD` (fib).
            guard case .name(let a) = lhs.kind, case .name(let b) = rhs.kind,
                let slotA = fs.resolveLocal(a), let slotB = fs.resolveLocal(b)
            else { return }
            switch op {
            case .sub: emit(.localsSubtract, loc, slotA, slotB)
            case .mul: emit(.localsMultiply, loc, slotA, slotB)
            default:
                emit(.getLocal2, lhs.loc, slotA, slotB)
                emit(binaryOpCode(op), loc)
            }
        case .binary(let op, let lhs, let rhs):
            if op == .add, let (first, parts) = Compiler.stringChain(e) {
                stringChain(first, parts)
                return
            }
            if op == .add || op == .sub, case .intLit(let n) = rhs.kind, CompilerLimits.smallInts.contains(n),
                case .name(let a) = lhs.kind, let slot = fs.resolveLocal(a)
            {
                emit(op == .add ? .localAddSmall : .localSubtractSmall, loc, slot, Int(UInt16(bitPattern: Int16(n))))
                return
            }
            expression(lhs)
            binaryTail(op, rhs, loc)
        case .chain(let first, let links):
            // A long flat chain: a loop here, never recursion down its left (see ExprKind.chain).
            var rest = links[...]
            let adds = links.prefix {
                if case .binary(.add) = $0.op { return true } else { return false }
            }
            if Compiler.isStringLiteral(first), adds.count >= 2 {
                stringChain(first, adds.map { (operand: $0.operand, loc: $0.loc) })
                rest = links[adds.count...]
            } else {
                expression(first)
            }
            for link in rest {
                switch link.op {
                case .binary(let op): binaryTail(op, link.operand, link.loc)
                case .logical(let op): logicalTail(op, link.operand, link.loc)
                }
            }
        case .logical(let op, let lhs, let rhs):
            expression(lhs)
            logicalTail(op, rhs, loc)
        case .call(let callee, let args):
            expression(callee)
            arguments(args, loc)
            emit(.call, loc, args.count)
        case .index(let object, let index):
            if case .name(let a) = object.kind, let slot = fs.resolveLocal(a),
                case .intLit(let n) = index.kind, let small = Int16(exactly: n)
            {
                // `node[0]` on a local: one instruction instead of three (issue 17).
                emit(.getLocalIndexSmall, loc, slot, Int(UInt16(bitPattern: small)))
                return
            }
            expression(object)
            expression(index)
            emit(.getIndex, loc)
        case .field(let object, let name):
            if case .name(let a) = object.kind, let slot = fs.resolveLocal(a) {
                // `b.x` on a local: one instruction instead of GET_LOCAL, GET_FIELD (issue 17).
                emit(.getLocalField, loc, slot, stringConstant(name, loc))
                return
            }
            expression(object)
            emit(.getField, loc, stringConstant(name, loc))
        case .method(let object, let name, let args):
            expression(object)
            arguments(args, loc)
            let nameConst = stringConstant(name, loc)
            if PlainCallHint.resumingMethods.contains(name) { noteIteration(of: object) }
            emit(.invoke, loc, nameConst, methodIDs.slot(for: name), args.count)
        case .function(let decl):
            function(decl)
        case .yield(let value):
            fs.containsYield = true
            if let value { expression(value) } else { emit(.nil, loc) }
            emit(.yield, loc)
        case .yieldFrom(let inner):
            fs.containsYield = true
            yieldFrom(inner, loc)
        case .spawn(let target):
            spawn(target, loc)
        }
    }

    private func binaryOpCode(_ op: BinaryOp) -> OpCode {
        switch op {
        case .add: return .add
        case .sub: return .subtract
        case .mul: return .multiply
        case .div: return .divide
        case .floorDiv: return .floorDivide
        case .mod: return .modulo
        case .pow: return .power
        case .bitAnd: return .bitAnd
        case .bitOr: return .bitOr
        case .bitXor: return .bitXor
        case .shiftLeft: return .shiftLeft
        case .shiftRight: return .shiftRight
        case .eq: return .equal
        case .ne: return .notEqual
        case .lt: return .less
        case .le: return .lessEqual
        case .gt: return .greater
        case .ge: return .greaterEqual
        }
    }

    func arguments(_ args: [Expr], _ loc: SourceLoc) {
        if args.count > CompilerLimits.arguments { error("too many arguments (the limit is \(CompilerLimits.arguments))", loc) }
        for a in args { expression(a) }
    }

    /// Compiles a function body into a new prototype and emits the closure that captures it.
    func function(_ decl: FunctionDecl) {
        let state = FunctionState(enclosing: fs, name: decl.name ?? "", arity: decl.params.count, isScript: false)
        let outer = fs
        fs = state
        beginScope()
        if decl.params.count > CompilerLimits.arguments {
            error("too many parameters (the limit is \(CompilerLimits.arguments))", decl.loc)
        }
        for p in decl.params {
            addLocal(p.name, p.loc)
            adjustDepth(1)  // the caller pushed the argument
        }
        hoistFunctions(decl.body)
        for s in decl.body { statement(s) }
        emit(.nil, decl.endLoc)
        emit(.return, decl.endLoc)
        let proto = finish(state)
        fs = outer
        if fs.protos.count >= CompilerLimits.functions { return error("too many functions in one function", decl.loc) }
        fs.protos.append(proto)
        emit(.closure, decl.loc, fs.protos.count - 1)
        for u in state.upvalues {
            u8(u.isLocal ? 1 : 0)
            u8(Int(u.index))
        }
    }

    /// `yield from x`: resume `x` (or step its iterator) and pass every value through.
    private func yieldFrom(_ inner: Expr, _ loc: SourceLoc) {
        expression(inner)
        emit(.getIter, loc)
        emit(.nil, loc)
        let start = fs.code.count
        let exit = emitJump(.yieldFromNext, loc)
        emit(.yield, loc)
        emitLoop(to: start, loc)
        patch(exit)
        emit(.popUnder, loc)
    }

    /// `spawn f(a, b)` spawns that call; `spawn g` spawns `g()`.
    private func spawn(_ target: Expr, _ loc: SourceLoc) {
        switch target.kind {
        case .call(let callee, let args):
            expression(callee)
            arguments(args, target.loc)
            emit(.spawn, loc, args.count)
        case .method(let object, let name, let args):
            expression(object)
            emit(.getField, target.loc, stringConstant(name, target.loc))
            arguments(args, target.loc)
            emit(.spawn, loc, args.count)
        default:
            expression(target)
            emit(.spawn, loc, 0)
        }
    }
}

extension Compiler {
    /// The operands of `e` when it is a `+` chain of three or more operands whose first is a
    /// string literal, `"id-" + a + "-" + b`: the first, and each later one with the location of
    /// the `+` before it. Nil otherwise (a single `+` builds one string already).
    static func stringChain(_ e: Expr) -> (first: Expr, parts: [(operand: Expr, loc: SourceLoc)])? {
        var parts: [(operand: Expr, loc: SourceLoc)] = []
        var node = e
        while case .binary(.add, let lhs, let rhs) = node.kind {
            parts.append((rhs, node.loc))
            node = lhs
        }
        guard parts.count >= 2, isStringLiteral(node) else { return nil }
        return (node, parts.reversed())
    }

    static func isStringLiteral(_ e: Expr) -> Bool {
        switch e.kind {
        case .string, .interpolation: return true
        default: return false
        }
    }

    /// A `+` chain that begins with a string literal (`stringChain`): each `+` then joins two
    /// strings or fails, so the chain builds one string (`CONCAT`), as Lua's `..` does, instead
    /// of a string per `+` that the next one copies and drops. The `+`s keep their order and
    /// their errors: after each operand, `STRING_PART` (at that `+`'s position) fails as the
    /// `+` would have, before the next operand is evaluated; the last `+` is the `CONCAT`.
    func stringChain(_ first: Expr, _ parts: [(operand: Expr, loc: SourceLoc)]) {
        expression(first)
        var onStack = 1
        for (i, part) in parts.enumerated() {
            expression(part.operand)
            onStack += 1
            if i == parts.count - 1 || onStack == Compiler.maxConcatParts {
                // A longer chain joins what it has and goes on from that string.
                emit(.concat, part.loc, onStack)
                onStack = 1
            } else {
                emit(.stringPart, part.loc, onStack)
            }
        }
    }

    /// The most strings one `CONCAT` joins (its operand is a byte).
    static let maxConcatParts = 64

    /// `op rhs` once the left operand is on the stack: small-constant forms for `% k`, `+ k`, `- k`.
    func binaryTail(_ op: BinaryOp, _ rhs: Expr, _ loc: SourceLoc) {
        if op == .mod, case .intLit(let n) = rhs.kind, n != 0, CompilerLimits.smallInts.contains(n) {
            emit(.moduloSmall, loc, Int(UInt16(bitPattern: Int16(n))))
        } else if op == .add || op == .sub, case .intLit(let n) = rhs.kind, CompilerLimits.smallInts.contains(n) {
            emit(op == .add ? .addSmall : .subtractSmall, loc, Int(UInt16(bitPattern: Int16(n))))
        } else {
            expression(rhs)
            emit(binaryOpCode(op), loc)
        }
    }

    /// `and rhs` / `or rhs` once the left operand is on the stack: it stays as the value when it
    /// decides the result, else it is popped and `rhs` is evaluated.
    func logicalTail(_ op: LogicalOp, _ rhs: Expr, _ loc: SourceLoc) {
        let end = emitJump(op == .and ? .jumpIfFalse : .jumpIfTrue, loc)
        emit(.pop, loc)
        expression(rhs)
        patch(end)
    }
}
