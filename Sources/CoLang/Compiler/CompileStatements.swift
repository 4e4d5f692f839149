// Compiling statements: declarations, assignment, control flow and error handling.
import CoLangSyntax

extension Compiler {
    func statement(_ stmt: Stmt) {
        let loc = stmt.loc
        switch stmt.kind {
        case .expr(let e):
            if let echo, fs.isScript, fs.scopeDepth == 0, fs.enclosing == nil {
                emitConstant(echo, loc)
                expression(e)
                emit(.call, loc, 1)
                emit(.pop, loc)
            } else {
                expression(e)
                emit(.pop, loc)
            }
        case .let(let name, let nameLoc, let value):
            fs.plainCallResults[name] = plainCall(value)
            if declaresGlobals {
                expression(value)
                emit(.defineGlobal, nameLoc, globalSlot(name, nameLoc))
            } else {
                // The initializer's value lands exactly in the new variable's slot.
                addLocal(name, nameLoc)
                let index = fs.locals.count - 1
                fs.locals[index].initializing = true
                expression(value)
                fs.locals[index].initializing = false
            }
        case .assign(let target, let op, let value):
            assignment(target: target, op: op, value: value, loc: loc)
        case .function(let decl):
            functionDeclaration(decl)
        case .if(let cond, let then, let els):
            ifStatement(cond: cond, then: then, els: els, loc: loc)
        case .while(let cond, let body):
            whileStatement(cond: cond, body: body, loc: loc)
        case .for(let name, let nameLoc, let iterable, let body):
            forStatement(name: name, nameLoc: nameLoc, iterable: iterable, body: body, loc: loc)
        case .break:
            breakStatement(loc)
        case .continue:
            continueStatement(loc)
        case .return(let value):
            if !fs.finallies.isEmpty {
                returnThroughFinally(value, loc)
            } else if let value, case .name(let name) = value.kind, let slot = fs.resolveLocal(name) {
                emit(.returnLocal, loc, slot)
            } else {
                if let value { expression(value) } else { emit(.nil, loc) }
                emit(.return, loc)
            }
        case .try(let body, let clause, let cleanup):
            if let cleanup {
                tryFinally(body: body, clause: clause, cleanup: cleanup, loc: loc)
            } else if let clause {
                tryCatch(body: body, clause: clause, loc: loc)
            }
        case .throw(let value):
            expression(value)
            emit(.throw, loc)
        }
    }

    func block(_ body: [Stmt], _ loc: SourceLoc) {
        beginScope()
        hoistFunctions(body)
        for s in body { statement(s) }
        endScope(body.last?.loc ?? loc)
    }

    private func assignment(target: Expr, op: CompoundOp?, value: Expr, loc: SourceLoc) {
        switch target.kind {
        case .name(let name):
            if let step = smallStep(op, value), let slot = fs.resolveLocal(name) {
                emit(.addLocalSmall, loc, slot, Int(UInt16(bitPattern: step)))
                return
            }
            // `x += e` reads x after e here, so only when e cannot run code that changes x.
            if op == .add, let slot = fs.resolveLocal(name), runsNoCode(value) {
                expression(value)
                emit(.addToLocal, loc, slot)
                return
            }
            if let op {
                emitGet(name, target.loc)
                expression(value)
                emitArithmetic(op, loc)
            } else {
                expression(value)
            }
            emitStore(name, loc)
        case .index(let object, let index):
            expression(object)
            expression(index)
            if let op {
                emit(.dup2, target.loc)
                emit(.getIndex, target.loc)
                expression(value)
                emitArithmetic(op, loc)
            } else {
                expression(value)
            }
            emit(.setIndex, target.loc)
        case .field(let object, let name):
            expression(object)
            let nameConst = stringConstant(name, target.loc)
            if let op {
                // `b.x += e` with `b` a local: read the field straight from the local (nothing
                // runs between the two reads) instead of DUP and GET_FIELD.
                if case .name(let local) = object.kind, let slot = fs.resolveLocal(local) {
                    emit(.getLocalField, target.loc, slot, nameConst)
                } else {
                    emit(.dup, target.loc)
                    emit(.getField, target.loc, nameConst)
                }
                expression(value)
                emitArithmetic(op, loc)
            } else {
                expression(value)
            }
            emit(.setField, target.loc, nameConst)
        default:
            error("invalid assignment target", target.loc)
        }
    }

    /// True when evaluating `e` calls no CoLang code (no calls, methods, yields or spawns), so
    /// no other code can change a variable while it is evaluated.
    func runsNoCode(_ e: Expr) -> Bool {
        switch e.kind {
        case .nilLit, .boolLit, .intLit, .floatLit, .string, .name, .function: return true
        case .interpolation(let parts):
            return parts.allSatisfy {
                if case .expr(let x) = $0 { return runsNoCode(x) }; return true
            }
        case .list(let items): return items.allSatisfy(runsNoCode)
        case .map(let pairs): return pairs.allSatisfy { runsNoCode($0.key) && runsNoCode($0.value) }
        case .unary(_, let x): return runsNoCode(x)
        case .binary(_, let a, let b), .logical(_, let a, let b): return runsNoCode(a) && runsNoCode(b)
        case .chain(let first, let links): return runsNoCode(first) && links.allSatisfy { runsNoCode($0.operand) }
        case .index(let a, let b): return runsNoCode(a) && runsNoCode(b)
        case .field(let a, _): return runsNoCode(a)
        case .call, .method, .yield, .yieldFrom, .spawn: return false
        }
    }

    /// `x += k` / `x -= k` with a small literal int k: the step, for `addLocalSmall`.
    private func smallStep(_ op: CompoundOp?, _ value: Expr) -> Int16? {
        guard let op, case .intLit(let n) = value.kind else { return nil }
        switch op {
        case .add: return CompilerLimits.smallSteps.contains(n) ? Int16(n) : nil
        case .sub: return CompilerLimits.smallSteps.contains(n) ? Int16(-n) : nil
        default: return nil
        }
    }

    /// Compiles a condition and a jump taken when it is false; comparisons fuse into one instruction.
    func conditionJump(_ cond: Expr, _ loc: SourceLoc) -> Int {
        if case .binary(let op, let lhs, let rhs) = cond.kind {
            let fused: OpCode?
            switch op {
            case .lt: fused = .jumpUnlessLess
            case .le: fused = .jumpUnlessLessEqual
            case .gt: fused = .jumpUnlessGreater
            case .ge: fused = .jumpUnlessGreaterEqual
            case .eq: fused = .jumpUnlessEqual
            case .ne: fused = .jumpUnlessNotEqual
            default: fused = nil
            }
            switch localLess(cond) {
            case .locals(let a, let b):
                return emitJump(.jumpUnlessLessLocals, cond.loc, a, b)
            case .localAndSmall(let a, let n):
                return emitJump(.jumpUnlessLessLocalSmall, cond.loc, a, Int(UInt16(bitPattern: n)))
            case nil: break
            }
            if op == .eq || op == .ne, case .nilLit = rhs.kind {
                expression(lhs)
                return emitJump(op == .eq ? .jumpUnlessNil : .jumpIfNil, cond.loc)
            }
            if op == .eq, case .name(let a) = lhs.kind, let slot = fs.resolveLocal(a),
                case .intLit(let n) = rhs.kind, let small = Int16(exactly: n)
            {
                return emitJump(.jumpUnlessEqualLocalSmall, cond.loc, slot, Int(UInt16(bitPattern: small)))
            }
            if let fused {
                expression(lhs)
                expression(rhs)
                return emitJump(fused, cond.loc)
            }
        }
        expression(cond)
        return emitJump(.popJumpIfFalse, loc)
    }

    func emitArithmetic(_ op: CompoundOp, _ loc: SourceLoc) {
        let code: OpCode
        switch op {
        case .add: code = .add
        case .sub: code = .subtract
        case .mul: code = .multiply
        case .div: code = .divide
        case .floorDiv: code = .floorDivide
        case .mod: code = .modulo
        }
        emit(code, loc)
    }

    /// Declares the named functions of a block (or function body) before its first statement,
    /// each a local that holds nil until its `fn` statement runs, so that sibling functions can
    /// call one another whatever their order (as in Python and JavaScript). Top-level functions
    /// are globals, found at run time anyway.
    func hoistFunctions(_ body: [Stmt]) {
        guard !declaresGlobals else { return }
        for s in body {
            guard case .function(let decl) = s.kind, let name = decl.name else { continue }
            emit(.nil, decl.loc)
            addLocal(name, decl.loc)
            fs.hoisted[ObjectIdentifier(decl)] = fs.locals.count - 1
        }
    }

    private func functionDeclaration(_ decl: FunctionDecl) {
        let name = decl.name ?? "<fn>"
        if declaresGlobals {
            function(decl)
            emit(.defineGlobal, decl.loc, globalSlot(name, decl.loc))
        } else if let slot = fs.hoisted[ObjectIdentifier(decl)] {
            function(decl)
            emit(.storeLocal, decl.loc, slot)
        } else {
            // Declared before its body so the function can call itself.
            addLocal(name, decl.loc)
            function(decl)
        }
    }

    private func ifStatement(cond: Expr, then: [Stmt], els: [Stmt]?, loc: SourceLoc) {
        let toElse = conditionJump(cond, loc)
        block(then, loc)
        if let els {
            let toEnd = emitJump(.jump, loc)
            patch(toElse)
            block(els, loc)
            patch(toEnd)
        } else {
            patch(toElse)
        }
    }

    /// The test sits at the bottom, so one instruction per iteration both tests and jumps back:
    /// `JUMP test; body: …; test: <cond> LOOP_IF_… body`. `while true` needs no test at all.
    private func whileStatement(cond: Expr, body: [Stmt], loc: SourceLoc) {
        var isForever = false
        if case .boolLit(true) = cond.kind { isForever = true }
        let toTest = isForever ? nil : emitJump(.jump, loc)
        let bodyStart = fs.code.count
        fs.loops.append(
            LoopContext(
                start: bodyStart, iterationLocals: fs.locals.count,
                tryDepth: fs.tryDepth, isFor: false))
        block(body, loc)
        let ctx = fs.loops.removeLast()
        if let toTest { patch(toTest) }
        for j in ctx.continueJumps { patch(j) }
        if isForever {
            emitLoop(to: bodyStart, loc)
        } else {
            loopConditionJump(cond, to: bodyStart, loc)
        }
        for j in ctx.breakJumps { patch(j) }
    }

    /// Compiles a `while` condition at the bottom of its loop: jumps back to `target` while it holds.
    private func loopConditionJump(_ cond: Expr, to target: Int, _ loc: SourceLoc) {
        switch localLess(cond) {
        case .locals(let a, let b):
            emit(.loopIfLessLocals, cond.loc, a, b, target)
        case .localAndSmall(let a, let n):
            emit(.loopIfLessLocalSmall, cond.loc, a, Int(UInt16(bitPattern: n)), target)
        case nil:
            expression(cond)
            emit(.loopIfTrue, loc, target)
        }
    }

    /// The operands of the fused loop tests: `a < b` on two locals, or on a local and a small int.
    private enum LocalLess { case locals(Int, Int), localAndSmall(Int, Int16) }

    private func localLess(_ cond: Expr) -> LocalLess? {
        guard case .binary(.lt, let lhs, let rhs) = cond.kind, case .name(let a) = lhs.kind,
            let slotA = fs.resolveLocal(a)
        else { return nil }
        if case .name(let b) = rhs.kind, let slotB = fs.resolveLocal(b) { return .locals(slotA, slotB) }
        if case .intLit(let n) = rhs.kind, let small = Int16(exactly: n) { return .localAndSmall(slotA, small) }
        return nil
    }

    private func forStatement(name: String, nameLoc: SourceLoc, iterable: Expr, body: [Stmt], loc: SourceLoc) {
        beginScope()
        if case .call(let callee, let args) = iterable.kind, case .name("range") = callee.kind,
            (1...3).contains(args.count), fs.locals.count + 3 < CompilerLimits.localSlots
        {
            // `for x in range(…)`: two hidden locals more, for the step and the stop, and the
            // call noted as a range loop's, which keeps the whole loop in ints when `range` is
            // the built-in one (`VM.callOther`, issue 17).
            emit(.nil, loc)
            addLocal("(step)", loc)
            emit(.nil, loc)
            addLocal("(stop)", loc)
            expression(callee)
            arguments(args, iterable.loc)
            fs.rangeLoopCalls.append(Int32(truncatingIfNeeded: fs.code.count))
            emit(.call, iterable.loc, args.count)
        } else {
            expression(iterable)
        }
        noteIteration(of: iterable)
        emit(.getIter, iterable.loc)
        addLocal("(iter)", loc)
        let start = fs.code.count
        let exit = emitJump(.forIter, iterable.loc)
        // The exit is reached from FOR_ITER (and from `break`) with the iterator and a result on
        // the stack, one value more than the fall-through from the body leaves.
        let exitDepth = fs.depth
        fs.loops.append(
            LoopContext(
                start: start, iterationLocals: fs.locals.count,
                tryDepth: fs.tryDepth, isFor: true))
        // A fresh scope per iteration: closures capture this iteration's variable.
        beginScope()
        addLocal(name, nameLoc)
        let variable = fs.locals.count - 1
        let bodyStart = fs.code.count
        for s in body { statement(s) }
        if fs.locals[variable].captured {
            endScope(body.last?.loc ?? loc)
            emitLoop(to: start, loc)
        } else {
            // FOR_LOOP pops the variable itself and steps the iterator: the scope ends without
            // popping the variable, so the tracked depth keeps it (FOR_LOOP's effect is 0).
            endScope(body.last?.loc ?? loc, keepingBottom: true)
            assert(OpCode.forLoopTop(body: bodyStart) == start, "the body follows FOR_ITER")
            emit(.forLoop, loc, bodyStart)
        }
        patch(exit)
        fs.depth = exitDepth
        let ctx = fs.loops.removeLast()
        for j in ctx.breakJumps { patch(j) }
        // At the exit the iterator and the finished iteration's result are on the stack.
        emit(.pop, loc)
        endScope(loc)  // pops the iterator
    }

    private func breakStatement(_ loc: SourceLoc) {
        guard let ctx = fs.loops.last else {
            error("'break' outside a loop", loc)
            return
        }
        let saved = fs.depth
        let handlers = runFinallies(leavingLoop: fs.loops.count - 1, loc)
        for _ in 0..<(handlers - ctx.tryDepth) { emit(.tryEnd, loc) }
        discardLocals(downTo: ctx.iterationLocals, loc)
        // A `for` loop's exit expects the iterator and a finished-iteration result.
        if ctx.isFor { emit(.nil, loc) }
        let j = emitJump(.jump, loc)
        fs.loops[fs.loops.count - 1].breakJumps.append(j)
        fs.depth = saved
    }

    private func continueStatement(_ loc: SourceLoc) {
        guard let ctx = fs.loops.last else {
            error("'continue' outside a loop", loc)
            return
        }
        let saved = fs.depth
        let handlers = runFinallies(leavingLoop: fs.loops.count - 1, loc)
        for _ in 0..<(handlers - ctx.tryDepth) { emit(.tryEnd, loc) }
        discardLocals(downTo: ctx.iterationLocals, loc)
        if ctx.isFor {
            emitLoop(to: ctx.start, loc)
        } else {
            // A `while` continues at its test, at the bottom.
            let j = emitJump(.jump, loc)
            fs.loops[fs.loops.count - 1].continueJumps.append(j)
        }
        fs.depth = saved
    }

    /// `return` inside a `try` or `catch` with a `finally`: the value is kept in a hidden local
    /// while a copy of each enclosing `finally` block runs, innermost first, then returned. (A
    /// `return` in one of those copies returns instead, Python's rule.)
    private func returnThroughFinally(_ value: Expr?, _ loc: SourceLoc) {
        let saved = fs.depth
        beginScope()
        addLocal("(return value)", loc)
        if let value { expression(value) } else { emit(.nil, loc) }
        _ = runFinallies(leavingLoop: nil, loc)
        emit(.return, loc)
        // Unreachable from here: forget the hidden local without emitting code for it.
        fs.locals.removeLast()
        endLocalName(slot: fs.locals.count)
        fs.scopeDepth -= 1
        fs.depth = saved
    }

    /// Emits what leaving the `finally` blocks that enclose this point does before a jump out:
    /// for each, innermost first, remove the handlers installed since it began and run a copy
    /// of its block. Leaving `loop` (an index of `fs.loops`) leaves only the `finally` blocks
    /// inside that loop; `nil` (a `return`) leaves all of them. Returns the number of handlers
    /// still installed.
    private func runFinallies(leavingLoop loop: Int?, _ loc: SourceLoc) -> Int {
        var handlers = fs.tryDepth
        let all = fs.finallies
        var i = all.count - 1
        while i >= 0, loop.map({ all[i].loopCount > $0 }) ?? true {
            let ctx = all[i]
            for _ in 0..<(handlers - ctx.tryDepth) { emit(.tryEnd, loc) }
            handlers = ctx.tryDepth
            compileFinallyCopy(ctx, outer: Array(all[..<i]))
            i -= 1
        }
        return handlers
    }

    /// Compiles `ctx`'s block where control leaves its `try`: as if it stood right after the
    /// `try` statement (its loops, handlers and the `finally` blocks around it), with the
    /// locals declared inside the `try` out of sight.
    private func compileFinallyCopy(_ ctx: FinallyContext, outer: [FinallyContext]) {
        let (tryDepth, finallies) = (fs.tryDepth, fs.finallies)
        let innerLoops = fs.loops[ctx.loopCount...]
        fs.tryDepth = ctx.tryDepth
        fs.finallies = outer
        fs.loops.removeLast(innerLoops.count)
        fs.hiddenLocals.append(ctx.localCount..<fs.locals.count)
        block(ctx.body, ctx.loc)
        // A `break` or `continue` in the copy recorded its jump in a loop outside the try, which
        // stays; the loops inside the try come back as they were.
        fs.loops += innerLoops
        fs.tryDepth = tryDepth
        fs.finallies = finallies
        fs.hiddenLocals.removeLast()
    }

    /// `try { body } catch e { handler }`.
    private func tryCatch(body: [Stmt], clause: CatchClause, loc: SourceLoc) {
        let begin = emitJump(.tryBegin, loc)
        fs.tryDepth += 1
        block(body, loc)
        fs.tryDepth -= 1
        emit(.tryEnd, loc)
        let toEnd = emitJump(.jump, loc)
        patch(begin)
        // The VM restores the stack to its depth at `try` and pushes the thrown value.
        adjustDepth(1)
        beginScope()
        addLocal(clause.name ?? "(error)", clause.loc)
        for s in clause.body { statement(s) }
        endScope(clause.body.last?.loc ?? clause.loc)
        patch(toEnd)
    }

    /// `try { body } [catch e { handler }] finally { cleanup }`: the `catch` part is a
    /// try-catch inside the try-finally. The block is compiled once for falling out of the
    /// `try`, once after the handler (an error, a close or a cancellation in flight, kept in a
    /// hidden local and thrown again at its end), and once per `return`, `break` or `continue`
    /// that leaves it (`runFinallies`).
    private func tryFinally(body: [Stmt], clause: CatchClause?, cleanup: [Stmt], loc: SourceLoc) {
        let ctx = FinallyContext(
            body: cleanup, loc: cleanup.first?.loc ?? loc, tryDepth: fs.tryDepth, loopCount: fs.loops.count,
            localCount: fs.locals.count)
        let begin = emitJump(.tryFinally, loc)
        fs.tryDepth += 1
        fs.finallies.append(ctx)
        if let clause { tryCatch(body: body, clause: clause, loc: loc) } else { block(body, loc) }
        fs.finallies.removeLast()
        fs.tryDepth -= 1
        emit(.tryEnd, loc)
        block(cleanup, ctx.loc)
        let toEnd = emitJump(.jump, loc)
        patch(begin)
        adjustDepth(1)
        beginScope()
        addLocal("(in flight)", loc)
        let slot = fs.locals.count - 1
        block(cleanup, ctx.loc)
        emit(.getLocal, cleanup.last?.loc ?? loc, slot)
        emit(.rethrow, cleanup.last?.loc ?? loc)
        endScope(loc)
        patch(toEnd)
    }
}
