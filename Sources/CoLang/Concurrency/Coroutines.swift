// Creating, resuming, yielding and finishing coroutines: every switch is a fiber pointer swap.
import CoLangSyntax

/// How a coroutine is being resumed.
enum ResumeMode { case resume, send, `throw` }

// Why the unretained fiber references here are sound: a coroutine value's bits are its
// `Fiber`'s address (Value.swift), alive while the value is on the stack; the running fiber and
// its resumers are on the current task's chain, which the task keeps marked (see VM.currentRef).
// `_withUnsafeGuaranteedRef` only skips the retain/release around those known-live objects.
extension VM {
    /// Builds a fiber that will call `callee(args...)`. Natives go through a tiny CoLang trampoline so
    /// a fiber always starts in a closure frame.
    func makeFiber(_ callable: UnsafeBufferPointer<Value>, what: String) throws(VMError) -> Fiber {
        let callee = callable[0]
        let argc = callable.count - 1
        // The stack the entry function needs (`startFiber` would grow it to this anyway):
        // allocated once, at its exact size, so a suspended coroutine holds no spare slots.
        var capacity = callable.count + 2
        switch callee.tag {
        case .closure:
            let proto = callee.asClosure.proto
            if proto.arity != argc { throw arityError(proto.name, expected: proto.arity, got: argc) }
            capacity = max(callable.count, proto.maxStack)
        case .native, .boundMethod:
            break
        default:
            throw fail("\(what) expects a function")
        }
        let fiber = heap.track(Fiber(id: nextCoroutineId, entry: callee, capacity: capacity))
        nextCoroutineId += 1
        if events.coroutinesOn && what == "coroutine" { emitCoroutineEvent(.create(co: fiber)) }
        if callee.tag != .closure { fiber.origin = currentSite(exactInnermost: false) }
        if callee.tag == .closure {
            for v in callable { fiber.push(v) }
        } else {
            fiber.push(trampoline(argc: argc))
            for v in callable { fiber.push(v) }
        }
        return fiber
    }

    /// A closure `fn(f, a1..an) { return f(a1..an) }`, cached per argument count.
    func trampoline(argc: Int) -> Value {
        if let t = trampolines[argc] { return t }
        var code: [UInt8] = []
        for i in 1...(argc + 1) { code += [OpCode.getLocal.rawValue, UInt8(truncatingIfNeeded: i)] }
        code += [OpCode.call.rawValue, UInt8(truncatingIfNeeded: argc), OpCode.return.rawValue]
        let proto = FunctionProto(
            name: "call", arity: argc + 1, source: SourceText(name: "<builtin>", text: ""),
            isPrelude: true, code: code, constants: [], positions: [], protos: [],
            upvalues: [], maxStack: 2 * argc + 6)  // argc + 1 pushed, with room: InstructionBoundaryTests checks it
        let cl = heap.track(ClosureObj(proto: proto, upvalues: []))
        let v = Value(object: cl, tag: .closure)
        trampolines[argc] = v
        return v
    }

    /// Pushes the first frame of a created fiber (its stack already holds callee and arguments).
    func startFiber(_ f: Fiber) {
        let cl = f.stack[0].asClosure
        f.reserve(frames: 1, slots: cl.proto.maxStack)
        f.appendFrame(CallFrame(closure: cl, ip: 0, base: 0))
    }

    /// Gives `co`, about to be resumed by `from`, what is left of the frame limit; a resume nested
    /// too deep is a stack overflow in the resumer, as a too-deep call is.
    @inline(__always)
    func limitNesting(of co: Unmanaged<Fiber>, from: Unmanaged<Fiber>) throws(VMError) {
        let limit = from._withUnsafeGuaranteedRef { $0.frameLimitForResumed }
        let fits = co._withUnsafeGuaranteedRef { c in
            c.frameLimit = limit
            return c.frameCount < limit
        }
        if !fits { throw fail("stack overflow") }
    }

    /// The one place control moves between a coroutine and its resumer, for every reason (see
    /// `Transfer`): links or unlinks the fiber, sets its stored state, hands over the value,
    /// makes the other fiber current and traces the switch. The caller has saved the running
    /// fiber's registers and checked that the move is allowed (`limitNesting`, states); the
    /// dispatch loop reloads its registers afterwards.
    @inline(__always)
    func transfer(_ reason: Transfer, traced: Bool = true) {
        let from = currentRef.unsafelyUnwrapped
        switch reason {
        case .resume(let co, let value, let exit):
            co._withUnsafeGuaranteedRef { c in
                assert(c.state == .created || c.state == .suspended, "resuming a fiber that is not paused")
                if let value { c.push(value) }
                c.state = .active
                c.resumerRef = from
                c.resumeExit = exit
            }
            switchTo(co)
            if events.coroutinesOn && traced { emitCoroutineEvent(.resume(co: co.takeUnretainedValue())) }
        case .yield(let value):
            let resumer = unlink(from, as: .suspended)
            resumer._withUnsafeGuaranteedRef { $0.push(value) }
            switchTo(resumer)
            if events.coroutinesOn && traced {
                emitCoroutineEvent(.coroutineYield(co: from.takeUnretainedValue(), to: resumer.takeUnretainedValue()))
            }
        case .finish(let result):
            let resumer = unlink(from, as: .done)
            from._withUnsafeGuaranteedRef { f in
                f.releaseStack(result: result)
                resumer._withUnsafeGuaranteedRef { res in
                    // A `for` loop or `yield from` over `f` goes on after its loop.
                    if f.resumeExit >= 0 { res.topFrame.pointee.ip = f.resumeExit }
                    if res.delegate.tag == .coroutine && res.delegate.asCoroutine === f { res.delegate = .nil }
                    res.push(result)
                }
                f.resumeExit = -1
            }
            switchTo(resumer)
            if events.coroutinesOn && traced {
                emitCoroutineEvent(.coroutineReturn(co: from.takeUnretainedValue(), to: resumer.takeUnretainedValue()))
            }
        case .fail, .unwound:
            let resumer = unlink(from, as: reason.isFail ? .failed : .done)
            from._withUnsafeGuaranteedRef { f in
                f.primeSend = nil
                f.releaseStack()
                f.resumeExit = -1
            }
            resumer._withUnsafeGuaranteedRef { $0.delegate = .nil }
            switchTo(resumer)
            if events.coroutinesOn && traced {
                let co = from.takeUnretainedValue(), to = resumer.takeUnretainedValue()
                emitCoroutineEvent(reason.isFail ? .coroutineFail(co: co, to: to) : .coroutineReturn(co: co, to: to))
            }
        }
    }

    /// Takes the running coroutine `f` off the resume chain in `state`; returns its resumer.
    @inline(__always)
    private func unlink(_ f: Unmanaged<Fiber>, as state: FiberState) -> Unmanaged<Fiber> {
        f._withUnsafeGuaranteedRef { f in
            assert(!f.isTaskRoot && f.state == .active, "only a running coroutine hands control back")
            let resumer = f.resumerRef.unsafelyUnwrapped
            f.state = state
            f.resumerRef = nil
            if state != .suspended { f.unwinding = .none }
            return resumer
        }
    }

    /// A coroutine event of the current task, on the event stream.
    @inline(never)
    func emitCoroutineEvent(_ kind: RunEvent.Kind) {
        events.emit(RunEvent(currentTask, kind))
    }

    /// `co.resume(v)`, `co.send(v)`, `co.throw(e)` (and `resume`/`next` off the fast path).
    func resumeCoroutine(_ co: Fiber, value: Value, mode: ResumeMode, exit: Int = -1) throws(VMError) -> NativeResult {
        let coRef = Unmanaged.passUnretained(co)
        switch co.state {
        case .done: throw fail("cannot resume a done coroutine")
        case .failed: throw fail("cannot resume a failed coroutine")
        case .active: throw fail("cannot resume a running coroutine")
        case .created:
            try limitNesting(of: coRef, from: currentRef.unsafelyUnwrapped)
            if mode == .throw {
                // Thrown into before it started: it fails at once, in the thrower.
                co.state = .failed
                co.sp = 0
                throw VMError(value: value)
            }
            startFiber(co)
            if mode == .send { co.primeSend = value }
            transfer(.resume(coRef, value: nil, exit: exit))
            return .switched(raising: nil)
        case .suspended:
            try limitNesting(of: coRef, from: currentRef.unsafelyUnwrapped)
            guard mode == .throw else {
                transfer(.resume(coRef, value: value, exit: exit))
                return .switched(raising: nil)
            }
            if co.delegate.tag == .coroutine, co.delegate.asCoroutine.state == .suspended {
                return forwardThrow(value, into: co)
            }
            transfer(.resume(coRef, value: nil, exit: exit))
            return .switched(raising: value)
        }
    }

    /// `co.throw(e)` or `co.close()` while `co` runs `yield from inner`: `co` resumes `inner`
    /// (and `inner` its own delegate, down the chain) with `e` raised in the innermost, and what
    /// that one does next (yield, return, fail) flows back up through the delegators as usual.
    /// With `closing`, every delegate is marked as closed along with `co`.
    private func forwardThrow(_ value: Value, into co: Fiber, closing: Bool = false) -> NativeResult {
        var outer = co
        // Back onto the `yield` of the delegation loop, so a value `inner` yields is passed on.
        outer.topFrame.pointee.ip -= 1
        transfer(.resume(Unmanaged.passUnretained(outer), value: nil, exit: -1), traced: false)
        while true {
            let inner = outer.delegate.asCoroutine
            inner.frameLimit = outer.frameLimitForResumed
            if closing { inner.unwinding = .closeDelegate }
            transfer(.resume(Unmanaged.passUnretained(inner), value: nil, exit: outer.delegateExit), traced: false)
            if events.coroutinesOn { emitCoroutineEvent(.throwInto(inner: inner, via: outer)) }
            guard delegatesToCoroutine(inner) else { break }
            inner.topFrame.pointee.ip -= 1
            outer = inner
        }
        return .switched(raising: value)
    }

    /// `co.resume(v)`, `co.next()`, `co.send(v)` called as methods: straight to the switch when
    /// `co` is suspended (the resume value replaces the receiver and arguments on the stack).
    func invokeResume(_ recvSlot: UnsafeMutablePointer<Value>, argc: Int, _ r: inout Registers) throws(VMError) -> Bool {
        let recv = recvSlot.pointee
        let coRef = Unmanaged<Fiber>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(recv.bits)).unsafelyUnwrapped)
        guard coRef._withUnsafeGuaranteedRef({ $0.state == .suspended }) else { return false }
        try limitNesting(of: coRef, from: runningRef)
        let value = argc == 1 ? recvSlot[1] : Value.nil
        r.sp = recvSlot
        save(r)
        transfer(.resume(coRef, value: value, exit: -1))
        r = load()
        return true
    }

    /// `yield v`: back to the resumer, or in a task outside any coroutine, give up the turn.
    func yieldValue(_ r: inout Registers) -> ExecStop? {
        let v = r.pop()
        let fRef = runningRef
        if fRef._withUnsafeGuaranteedRef({ $0.isTaskRoot }) {
            r.push(.nil)
            save(r)
            if currentTask.cancelling { return raiseCancellationAgain(&r) }
            return .yielded
        }
        if fRef._withUnsafeGuaranteedRef({ $0.unwinding != .none }) { return yieldWhileUnwinding(v, &r) }
        let prime: Value? = fRef._withUnsafeGuaranteedRef { f in
            let p = f.primeSend
            if p != nil { f.primeSend = nil }
            return p
        }
        if let s = prime {
            r.push(s)
            return nil
        }
        save(r)
        transfer(.yield(v))
        r = load()
        return nil
    }

    /// `yield` in a `finally` block run by a close or a cancellation. A coroutine being closed
    /// stays suspended at that `yield` and `coroutine yielded while closing` is raised in its
    /// resumer (Python's "generator ignored GeneratorExit"); a cancelled task cannot give up
    /// its turn, so the cancellation is raised again at the `yield`.
    @inline(never)
    private func yieldWhileUnwinding(_ v: Value, _ r: inout Registers) -> ExecStop? {
        let f: Fiber = current
        if f.unwinding == .cancel {
            r.push(.nil)
            save(r)
            return raiseCancellationAgain(&r)
        }
        f.unwinding = .none
        save(r)
        transfer(.yield(v))
        r = load()
        r.sp -= 1  // the yielded value, which `close()` does not return
        save(r)
        if let stop = handleError(fail("coroutine yielded while closing").value) { return stop }
        r = load()
        return nil
    }

    /// The running task is being cancelled and tried to wait or give up its turn: the
    /// cancellation is raised again where it stands.
    func raiseCancellationAgain(_ r: inout Registers) -> ExecStop? {
        let t: TaskObj = currentTask
        // A coroutine started by a `finally` block of the task is part of its unwinding now.
        current.unwinding = .cancel
        return raiseAtYield(unwindingError(.cancel, "task \(t.name) was cancelled"), &r)
    }

    /// A fiber's entry function returned: a task ends, a coroutine hands its result to the resumer.
    func finishFiber(_ f: Fiber, result: Value) -> ExecStop? {
        if f.isTaskRoot { return .finished(result) }
        transfer(.finish(result))
        return nil
    }

    /// `for x in co` and `yield from co`: resume with `sent`; when `co` finishes, continue at `exit`.
    func resumeForIteration(_ it: Value, sent: Value, exit: Int, _ r: inout Registers) throws(VMError) -> ExecStop? {
        guard it.tag == .coroutine else {
            if it.tag == .int {
                // `FOR_ITER` of a range loop, whose `step stop current` end at the top
                // (`startRangeFor`): here, out of the dispatch loop, where a case of its own
                // cost that loop a register (issue 17).
                if let v = stepRange(r.sp - 3) {
                    r.push(v)
                } else {
                    r.push(.nil)
                    r.ip = r.code + exit
                }
                return nil
            }
            throw fail("cannot iterate over \(it.typeName)")
        }
        let coRef = Unmanaged<Fiber>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(it.bits)).unsafelyUnwrapped)
        let state = coRef._withUnsafeGuaranteedRef { $0.state }
        if state == .done {
            r.push(coRef._withUnsafeGuaranteedRef { $0.result })
            r.ip = r.code + exit
            return nil
        }
        save(r)
        if state == .suspended {
            try limitNesting(of: coRef, from: runningRef)
            transfer(.resume(coRef, value: sent, exit: exit))
        } else {
            _ = try resumeCoroutine(coRef.takeUnretainedValue(), value: sent, mode: .resume, exit: exit)
        }
        r = load()
        return nil
    }

    /// Raises `v` where the current fiber is paused (a `throw` into a coroutine, a failed join).
    func raiseAtYield(_ v: Value, _ r: inout Registers) -> ExecStop? {
        r.ip -= 1
        save(r)
        if let stop = handleError(v) { return stop }
        r = load()
        return nil
    }

    /// `co.close()`. A created coroutine becomes done without running. A suspended one is
    /// unwound from its `yield`: the close error is raised there (after the `yield from`
    /// delegates below it are resumed, so that the innermost is closed first), `catch` blocks
    /// let it through, `finally` blocks run, and when it leaves the coroutine `close()` returns
    /// nil (`handleError`). One with no handler and no delegate just ends.
    func closeCoroutine(_ co: Fiber) throws(VMError) -> NativeResult {
        switch co.state {
        case .active: throw fail("cannot close a running coroutine")
        case .done, .failed: return .value(.nil)
        case .created:
            end(co)
            if events.coroutinesOn { emitCoroutineEvent(.close(co: co)) }
            return .value(.nil)
        case .suspended:
            if events.coroutinesOn { emitCoroutineEvent(.close(co: co)) }
            if !co.hasHandlers && !delegatesToCoroutine(co) {
                end(co)
                return .value(.nil)
            }
            try limitNesting(of: Unmanaged.passUnretained(co), from: currentRef.unsafelyUnwrapped)
            co.unwinding = .closeTarget
            let closing = unwindingError(.close, "coroutine closed")
            if delegatesToCoroutine(co) { return forwardThrow(closing, into: co, closing: true) }
            transfer(.resume(Unmanaged.passUnretained(co), value: nil, exit: -1))
            return .switched(raising: closing)
        }
    }

    /// Whether `co` is paused in a `yield from` over a coroutine that is itself paused.
    private func delegatesToCoroutine(_ co: Fiber) -> Bool {
        co.delegate.tag == .coroutine && co.delegate.asCoroutine.state == .suspended
    }

    /// Ends `f` where it stands, without running more of it (`close`, a cancelled task's
    /// chain): its open upvalues are closed, so captured locals stay valid after its stack is
    /// freed, and it is `done`.
    func end(_ f: Fiber) {
        f.unwinding = .none
        f.closeUpvalues(from: 0)
        f.frameCount = 0
        if !f.isTaskRoot { f.state = .done }
        f.resumer = nil
        f.resumeExit = -1
        f.delegate = .nil
        f.primeSend = nil
        f.releaseStack()
    }
}
