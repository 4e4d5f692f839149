// Calling natives, bound methods and methods; the stack layout is always `callee arg1..argN`.

extension VM {
    /// Calls any callable at `calleeSlot` with `argc` arguments above it.
    func callValue(_ calleeSlot: UnsafeMutablePointer<Value>, argc: Int, _ r: inout Registers) throws(VMError) -> ExecStop? {
        let callee = calleeSlot.pointee
        if callee.tag == .closure {
            try pushFrame(callee, calleeSlot: calleeSlot, argc: argc, &r)
            return nil
        }
        return try callNonClosure(calleeSlot: calleeSlot, argc: argc, &r)
    }

    /// `CALL` of anything but a closure. The `CALL` of a `for x in range(…)` loop
    /// (`FunctionProto.rangeLoopCalls`) of the built-in `range` starts its loop here, without
    /// calling (`startRangeFor`), and skips the `GET_ITER` after it. (A side table rather than
    /// an opcode of its own: any new case in the dispatch loop cost it a register at the loop's
    /// head, and fib, loop and gen 10-30% of their time.)
    @inline(never) func callOther(calleeSlot: UnsafeMutablePointer<Value>, argc: Int, _ r: inout Registers) throws(VMError) -> ExecStop? {
        let callee = calleeSlot.pointee
        if callee.tag == .native {
            if callee.bits == rangeNative.bits
                && r.closureRef._withUnsafeGuaranteedRef({ $0.proto.isRangeLoopCall(at: r.ip - 2 - r.code) })
                && startRangeFor(calleeSlot - 2, argc: argc)
            {
                assert(r.ip.pointee == OpCode.getIter.rawValue, "a range loop's CALL is followed by GET_ITER")
                r.sp = calleeSlot + 1
                r.ip += 1
                return nil
            }
            // A computing native straight away (`callNative` would take the same path, from
            // further down).
            let nRef = Unmanaged<NativeObj>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(callee.bits)).unsafelyUnwrapped)
            if argc == 1, calleeSlot[1].tag == .float, let f = nRef._withUnsafeGuaranteedRef({ $0.floatFunction }) {
                let x = calleeSlot[1].asFloat
                let y = f(x)
                if !y.isNaN || x.isNaN {  // else the native throws: the general path below
                    calleeSlot.pointee = Value(y)
                    r.sp = calleeSlot + 1
                    return nil
                }
            }
            if !nRef._withUnsafeGuaranteedRef({ $0.isControl }) {
                try callComputing(nRef, calleeSlot: calleeSlot, argc: argc, &r)
                return nil
            }
        }
        return try callNonClosure(calleeSlot: calleeSlot, argc: argc, &r)
    }

    /// Calls a native or bound method; anything else is not callable.
    func callNonClosure(calleeSlot: UnsafeMutablePointer<Value>, argc: Int, _ r: inout Registers) throws(VMError) -> ExecStop? {
        let callee = calleeSlot.pointee
        switch callee.tag {
        case .native:
            return try callNative(callee, calleeSlot: calleeSlot, argc: argc, &r)
        case .boundMethod:
            let bm = callee.obj(BoundMethodObj.self)
            insertReceiver(bm.receiver, method: bm.method, calleeSlot: calleeSlot, argc: argc, &r)
            return try callMethodValue(bm.method, name: bm.name, calleeSlot: calleeSlot, argc: argc + 1, &r)
        default:
            throw fail("cannot call \(callee.typeName)")
        }
    }

    /// Rewrites `recv a1..an` (or `bound a1..an`) into `method recv a1..an`.
    @inline(__always)
    func insertReceiver(_ recv: Value, method: Value, calleeSlot: UnsafeMutablePointer<Value>, argc: Int, _ r: inout Registers) {
        // `CALL` and `INVOKE` count this slot as transient (`OpLayout`), so the frame has it.
        assert(r.inFrame(calleeSlot + argc + 1), "a receiver inserted past the running frame's maxStack")
        var i = argc
        while i >= 1 {
            calleeSlot[i + 1] = calleeSlot[i]
            i -= 1
        }
        calleeSlot[1] = recv
        calleeSlot[0] = method
        r.sp += 1
    }

    /// Calls a method implementation (native or prelude closure) whose receiver is the first argument.
    func callMethodValue(
        _ method: Value, name: @autoclosure () -> String, calleeSlot: UnsafeMutablePointer<Value>, argc: Int, _ r: inout Registers
    )
        throws(VMError) -> ExecStop?
    {
        if method.tag == .closure {
            let cl = method.asClosure
            if cl.proto.arity != argc { throw arityError(name(), expected: cl.proto.arity - 1, got: argc - 1) }
            try pushFrame(method, calleeSlot: calleeSlot, argc: argc, &r)
            return nil
        }
        return try callNative(method, calleeSlot: calleeSlot, argc: argc, &r)
    }

    /// `recv.name(args)`: a function stored in a map under `name`, else the type's built-in method.
    /// (A computing native method goes the short way, `callNative`'s `callComputing`.)
    func invoke(nameConst: Int, id: Int, argc: Int, _ r: inout Registers) throws(VMError) -> ExecStop? {
        let recvSlot = r.sp - argc - 1
        let recv = recvSlot.pointee
        if recv.tag == .map {
            let name = r.consts[nameConst]
            if let f = recv.asMap.value(for: name, hash: name.asString.hashCode),
                f.tag == .closure || f.tag == .native || f.tag == .boundMethod
            {
                recvSlot.pointee = f
                return try callValue(recvSlot, argc: argc, &r)
            }
        }
        if recv.tag == .coroutine && argc <= 1
            && (id == resumeIDs.resume || id == resumeIDs.send && argc == 1 || id == resumeIDs.next && argc == 0),
            try invokeResume(recvSlot, argc: argc, &r)
        {
            return nil
        }
        let m = methods.lookup(recv.tag, id)
        if m.tag == .undefined {
            throw noMethod(recv, r.consts[nameConst].asString.value)
        }
        insertReceiver(recv, method: m, calleeSlot: recvSlot, argc: argc, &r)
        if m.tag == .native {
            return try callNative(m, calleeSlot: recvSlot, argc: argc + 1, &r)
        }
        let name = r.consts[nameConst]  // made into a `String` only for an error
        return try callMethodValue(m, name: name.asString.value, calleeSlot: recvSlot, argc: argc + 1, &r)
    }

    /// Runs the native `native`. A computing native's value is pushed; a control native's result
    /// says what else to do (see `NativeResult`).
    @inline(__always)
    func callNative(_ native: Value, calleeSlot: UnsafeMutablePointer<Value>, argc: Int, _ r: inout Registers) throws(VMError) -> ExecStop?
    {
        let nRef = Unmanaged<NativeObj>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(native.bits)).unsafelyUnwrapped)
        if !nRef._withUnsafeGuaranteedRef({ $0.isControl }) {
            try callComputing(nRef, calleeSlot: calleeSlot, argc: argc, &r)
            return nil
        }
        var then = AfterNative.nothing
        // Unretained while it runs: natives run no program code, so nothing collects until the
        // closure returns. What may collect (the collection its allocations asked for, the call
        // it ends in) comes after.
        let stop = try native.unretained(NativeObj.self) { n throws(VMError) in
            try runNative(n, calleeSlot: calleeSlot, argc: argc, &r, then: &then)
        }
        switch then {
        case .nothing: return stop
        case .collect:
            if heap.wantsCollection { save(r); collectGarbage() }
            return nil
        case .call(let argc): return try callValue(calleeSlot, argc: argc, &r)
        }
    }

    /// A computing native (most builtins and methods: `len`, `str`, `sqrt`, `s.slice`, ...), the
    /// short way: its arguments checked, its result in the callee's slot. `runNative`'s general
    /// path, through a closure returning a `Result` and the `AfterNative` it leaves, cost ~160
    /// instructions a call, more than most natives' own work (issue 17: `len(s)` was ~350).
    /// Unretained while it runs, as in `callNative`; an error comes out of the closure as a value.
    @inline(never)
    func callComputing(_ nRef: Unmanaged<NativeObj>, calleeSlot: UnsafeMutablePointer<Value>, argc: Int, _ r: inout Registers)
        throws(VMError)
    {
        r.sp = calleeSlot
        save(r)
        var failure: VMError?
        let result = nRef._withUnsafeGuaranteedRef { n -> Value in
            let visible = n.isMethod ? argc - 1 : argc
            if visible < n.minArgs || (n.maxArgs >= 0 && visible > n.maxArgs) {
                failure = nativeArityError(n, got: visible)
                return .nil
            }
            do throws(VMError) {
                return try n.compute(self, UnsafeMutableBufferPointer(start: calleeSlot + 1, count: argc))
            } catch {
                failure = error
                return .nil
            }
        }
        if let failure { throw failure }
        calleeSlot.pointee = result
        r.sp = calleeSlot + 1
        if heap.wantsCollection { save(r); collectGarbage() }
    }

    /// What `callNative` does once the native has returned.
    private enum AfterNative { case nothing, collect, call(argc: Int) }

    /// `callNative`, less what may collect, which it leaves in `then`.
    private func runNative(
        _ n: NativeObj, calleeSlot: UnsafeMutablePointer<Value>, argc: Int, _ r: inout Registers, then: inout AfterNative
    ) throws(VMError) -> ExecStop? {
        let visible = n.isMethod ? argc - 1 : argc
        if visible < n.minArgs || (n.maxArgs >= 0 && visible > n.maxArgs) {
            throw nativeArityError(n, got: visible)
        }
        r.sp = calleeSlot
        save(r)
        // The arguments stay where the caller pushed them: `calleeSlot` is inside the running
        // frame and nothing runs on this fiber until the native returns.
        let args = UnsafeMutableBufferPointer(start: calleeSlot + 1, count: argc)
        let result: Value
        if !n.isControl {
            result = try n.compute(self, args)
        } else {
            switch try n.control(self, args) {
            case .value(let v):
                result = v
            case .tailCall(let callee, let tcArgs):
                assert(tcArgs.count <= argc, "a tail call may not outnumber the native's arguments")
                calleeSlot[0] = callee
                for (i, v) in tcArgs.enumerated() { calleeSlot[i + 1] = v }
                r.sp = calleeSlot + 1 + tcArgs.count
                then = .call(argc: tcArgs.count)
                return nil
            case .switched(let raising):
                r = load()
                if let v = raising { return raiseAtYield(v, &r) }
                return nil
            case .block(let target):
                if currentTask.cancelling { return raiseCancellationAgain(&r) }
                return block(on: target)
            case .stop(let stop):
                if case .yielded = stop, currentTask.cancelling {
                    return raiseCancellationAgain(&r)
                }
                return stop
            }
        }
        r.push(result)
        then = .collect
        return nil
    }

    func nativeArityError(_ n: NativeObj, got: Int) -> VMError {
        if n.minArgs == n.maxArgs { return arityError(n.name, expected: n.minArgs, got: got) }
        if n.maxArgs < 0 { return fail("\(n.name) expects at least \(n.minArgs) argument\(n.minArgs == 1 ? "" : "s") but got \(got)") }
        return fail("\(n.name) expects \(n.minArgs) to \(n.maxArgs) arguments but got \(got)")
    }
}
