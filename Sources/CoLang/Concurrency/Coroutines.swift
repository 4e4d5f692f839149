// Creating, resuming, yielding and finishing coroutines: every switch is a fiber pointer swap.
import CoLangSyntax

/// How a coroutine is being resumed.
enum ResumeMode { case resume, send, `throw` }

extension VM {
    /// Builds a fiber that will call `callee(args...)`. Natives go through a tiny CoLang trampoline so
    /// a fiber always starts in a closure frame.
    func makeFiber(_ callable: UnsafeBufferPointer<Value>, what: String) throws(VMError) -> Fiber {
        let callee = callable[0]
        let argc = callable.count - 1
        switch callee.tag {
        case .closure:
            let proto = callee.asClosure.proto
            if proto.arity != argc { throw arityError(proto.name, expected: proto.arity, got: argc) }
        case .native, .boundMethod:
            break
        default:
            throw fail("\(what) expects a function")
        }
        let fiber = heap.track(Fiber(id: nextCoroutineId, entry: callee, capacity: callable.count + 1))
        nextCoroutineId += 1
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
        let proto = FunctionProto(name: "call", arity: argc + 1, source: SourceText(name: "<builtin>", text: ""),
                                  isPrelude: true, code: code, constants: [], positions: [], protos: [],
                                  upvalues: [], maxStack: 2 * argc + 6)
        let cl = heap.track(ClosureObj(proto: proto, upvalues: []))
        let v = Value(object: cl, tag: .closure)
        trampolines[argc] = v
        return v
    }

    /// Pushes the first frame of a created fiber (its stack already holds callee and arguments).
    func startFiber(_ f: Fiber) {
        let cl = f.stack[0].asClosure
        f.appendFrame(CallFrame(closure: cl, ip: 0, base: 0))
        f.ensureCapacity(cl.proto.maxStack + 1)
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

    /// Switches to coroutine `co`. Returns `.undefined`: the dispatch loop reloads from `current`.
    func resumeCoroutine(_ co: Fiber, value: Value, mode: ResumeMode, exit: Int = -1) throws(VMError) -> Value {
        if co.status == .created || co.status == .suspended {
            try limitNesting(of: Unmanaged.passUnretained(co), from: currentRef.unsafelyUnwrapped)
        }
        switch co.status {
        case .done: throw fail("cannot resume a done coroutine")
        case .failed: throw fail("cannot resume a failed coroutine")
        case .running, .normal: throw fail("cannot resume a running coroutine")
        case .created:
            if mode == .throw {
                co.status = .failed
                co.sp = 0
                throw VMError(value: value)
            }
            startFiber(co)
            if mode == .send { co.primeSend = value }
        case .suspended:
            if mode == .throw, co.delegate.tag == .coroutine, co.delegate.asCoroutine.status == .suspended {
                return forwardThrow(value, into: co)
            }
            if mode == .throw { pendingThrow = value } else { co.push(value) }
        }
        let from = currentRef.unsafelyUnwrapped
        from._withUnsafeGuaranteedRef { if !$0.isTaskRoot { $0.status = .normal } }
        co.resumerRef = from
        co.status = .running
        co.resumeExit = exit
        switchTo(Unmanaged.passUnretained(co))
        if tracing { traceLine("resume co#\(co.id) \(co.name)") }
        return .undefined
    }

    /// `co.throw(e)` while `co` runs `yield from inner`: `e` is raised inside `inner`, and what
    /// `inner` does next (yield, return, fail) flows through `co` as usual.
    private func forwardThrow(_ value: Value, into co: Fiber) -> Value {
        let inner = co.delegate.asCoroutine
        let from: Fiber = current
        co.resumer = from
        if from.task == nil { from.status = .normal }
        co.status = .normal
        // Back onto the `yield` of the delegation loop, so a value `inner` yields is passed on.
        co.topFrame.pointee.ip -= 1
        inner.resumer = co
        inner.frameLimit = co.frameLimitForResumed
        inner.status = .running
        inner.resumeExit = co.delegateExit
        pendingThrow = value
        current = inner
        currentTask.active = inner
        if tracing { traceLine("throw into co#\(inner.id) via co#\(co.id)") }
        return .undefined
    }

    /// The common resume: `co` is suspended; `value` becomes the value of its `yield`.
    /// No checks, no traces: callers have made sure.
    @inline(__always)
    func resumeSuspended(_ coRef: Unmanaged<Fiber>, from: Unmanaged<Fiber>, value: Value, exit: Int) {
        from._withUnsafeGuaranteedRef { if !$0.isTaskRoot { $0.status = .normal } }
        coRef._withUnsafeGuaranteedRef { co in
            co.push(value)
            co.resumerRef = from
            co.status = .running
            co.resumeExit = exit
        }
        switchTo(coRef)
    }

    /// `co.resume(v)`, `co.next()`, `co.send(v)` called as methods: straight to the switch when
    /// `co` is suspended (the resume value replaces the receiver and arguments on the stack).
    func invokeResume(_ recvSlot: UnsafeMutablePointer<Value>, argc: Int, _ r: inout Registers) throws(VMError) -> Bool {
        let recv = recvSlot.pointee
        let coRef = Unmanaged<Fiber>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(recv.bits)).unsafelyUnwrapped)
        guard !tracing, coRef._withUnsafeGuaranteedRef({ $0.status == .suspended }) else { return false }
        try limitNesting(of: coRef, from: r.fiberRef)
        let value = argc == 1 ? recvSlot[1] : Value.nil
        r.sp = recvSlot
        save(r)
        resumeSuspended(coRef, from: r.fiberRef, value: value, exit: -1)
        r = load()
        return true
    }

    /// `yield v`: back to the resumer, or in a task outside any coroutine, give up the turn.
    func yieldValue(_ r: inout Registers) -> ExecStop? {
        let v = r.pop()
        let fRef = r.fiberRef
        if fRef._withUnsafeGuaranteedRef({ $0.isTaskRoot }) {
            r.push(.nil)
            save(r)
            return .yielded
        }
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
        let resumerRef: Unmanaged<Fiber> = fRef._withUnsafeGuaranteedRef { f in
            let res = f.resumerRef.unsafelyUnwrapped
            f.status = .suspended
            f.resumerRef = nil
            return res
        }
        resumerRef._withUnsafeGuaranteedRef { res in
            if !res.isTaskRoot { res.status = .running }
            res.push(v)
        }
        switchTo(resumerRef)
        if tracing { traceLine("yield co#\(r.fiber.id) -> \(fiberLabel(resumerRef.takeUnretainedValue()))") }
        r = load()
        return nil
    }

    /// A fiber's entry function returned: a task ends, a coroutine hands its result to the resumer.
    func finishFiber(_ f: Fiber, result: Value) -> ExecStop? {
        if f.task != nil { return .finished(result) }
        f.status = .done
        f.result = result
        f.releaseStack()
        let resumer = f.resumer.unsafelyUnwrapped
        f.resumer = nil
        if resumer.task == nil { resumer.status = .running }
        if f.resumeExit >= 0 { resumer.topFrame.pointee.ip = f.resumeExit }
        if resumer.delegate.tag == .coroutine && resumer.delegate.asCoroutine === f { resumer.delegate = .nil }
        f.resumeExit = -1
        resumer.push(result)
        current = resumer
        currentTask.active = resumer
        if tracing { traceLine("return co#\(f.id) -> \(fiberLabel(resumer))") }
        return nil
    }

    /// `for x in co` and `yield from co`: resume with `sent`; when `co` finishes, continue at `exit`.
    func resumeForIteration(_ it: Value, sent: Value, exit: Int, _ r: inout Registers) throws(VMError) -> ExecStop? {
        guard it.tag == .coroutine else { throw fail("cannot iterate over \(it.typeName)") }
        let coRef = Unmanaged<Fiber>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(it.bits)).unsafelyUnwrapped)
        let status = coRef._withUnsafeGuaranteedRef { $0.status }
        if status == .done {
            r.push(coRef._withUnsafeGuaranteedRef { $0.result })
            r.ip = r.code + exit
            return nil
        }
        save(r)
        if status == .suspended && !tracing {
            try limitNesting(of: coRef, from: r.fiberRef)
            resumeSuspended(coRef, from: r.fiberRef, value: sent, exit: exit)
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

    /// `co.close()`: a created or suspended coroutine becomes done without running more.
    func closeCoroutine(_ co: Fiber) throws(VMError) {
        switch co.status {
        case .running, .normal: throw fail("cannot close a running coroutine")
        case .done, .failed: return
        case .created, .suspended:
            co.closeUpvalues(from: 0)
            co.frameCount = 0
            co.handlers.removeAll()
            co.status = .done
            co.delegate = .nil
            co.primeSend = nil
            co.releaseStack()
        }
    }

    func fiberLabel(_ f: Fiber) -> String {
        if let t = f.task { return t.name }
        return "co#\(f.id)"
    }
}
