// The dispatch loop: runs the current task's fibers until the task finishes, yields, blocks or fails.
//
// Why the unchecked accesses here are sound. The registers (`Registers.swift`) point into the
// running fiber's stack and code, and collections happen only at safe points, after `save(r)`,
// so nothing they point at is freed or moved while they are in use; every call that can grow or
// switch the stack reloads them (`load()`). `_withUnsafeGuaranteedRef` on `runningRef` and
// `r.closureRef` skips retain/release: the running fiber is held by its task (a GC root) and the
// running closure by its frame's stack slot `base`. A value whose tag says `.closure` or
// `.iterator` holds that object's address in its bits (Value.swift), and the object is alive
// because the value is on the stack.

extension VM {
    /// Deepest call stack one coroutine may have.
    static let maxFrames = 200_000
    /// What one nested resume costs of `maxFrames`: a fiber is heavier than a frame, so at most
    /// 10,000 coroutines can be resumed one inside another.
    static let resumeWeight = 20
    /// Instructions between two checkpoints (interrupts, limits, pending collections) when
    /// nothing needs them sooner.
    static let checkpointInterval = 10_000
    /// Under `--max-memory`, the most instructions between two measurements of live memory
    /// (a map or channel can grow without allocating objects, which is what triggers them).
    static let memoryCheckInterval = 1_000_000
    /// Under `--max-memory`, the instructions per live object between two safety-net collections
    /// (see `limitWantsCollection`).
    static let stepsPerLiveObject = 1_024

    /// Runs from `current` until the task gives control back to the scheduler; with `raising`,
    /// first raises that value where the task is paused (a failed join, a closed channel).
    func execute(raising: Value? = nil) -> ExecStop {
        if current.frameCount == 0 { startFiber(current) }
        var r = load()
        if let v = raising {
            var rr = r
            let stop = raiseAtYield(v, &rr)
            r = rr
            if let stop { return stop }
        }
        // The instruction budget lives in a register here; the VM's copy is kept in step on exit.
        var budget = self.budget
        defer { self.budget = budget }
        while true {
            budget &-= 1
            if _slowPath(budget < 0) {
                // The checkpoint works on the saved registers (it may unwind to a handler or
                // switch fibers), and the registers are loaded again only if this fiber goes on.
                self.budget = budget
                save(r)
                let stop = checkpoint()
                budget = self.budget
                if let stop { return stop }
                r = load()
            }
            let opStart = r.ip
            // Sound: the compiler emits only OpCode raw values at instruction starts, and the
            // instruction-boundary test walks every program to check that ip lands only there.
            let op = unsafeBitCast(r.ip.pointee, to: OpCode.self)
            r.ip += 1
            do throws(VMError) {
                switch op {
                case .constant:
                    let i = r.readU16()
                    r.push(r.consts[i])
                case .nil:
                    r.push(.nil)
                case .true:
                    r.push(.true)
                case .false:
                    r.push(.false)
                case .smallInt:
                    let n = Int16(bitPattern: UInt16(truncatingIfNeeded: r.readU16()))
                    r.push(Value(Int64(n)))
                case .pop:
                    r.sp -= 1
                case .popN:
                    r.sp -= r.readU8()
                case .popUnder:
                    r.sp[-2] = r.sp[-1]
                    r.sp -= 1
                case .dup:
                    r.push(r.sp[-1])
                case .dup2:
                    let a = r.sp[-2], b = r.sp[-1]
                    r.push(a)
                    r.push(b)
                case .storeLocal:
                    let s = r.readU8()
                    r.sp -= 1
                    r.base[s] = r.sp.pointee
                case .storeUpvalue:
                    let u = r.readU8()
                    r.sp -= 1
                    let v = r.sp.pointee
                    r.closureRef._withUnsafeGuaranteedRef { $0.upvalueRefs[u]._withUnsafeGuaranteedRef { $0.value = v } }
                case .storeGlobal:
                    let g = r.readU16()
                    if globalSlots[g].tag == .undefined { throw undefinedVariable(globals.names[g]) }
                    r.sp -= 1
                    globalSlots[g] = r.sp.pointee
                case .addToLocal:
                    let s = r.readU8()
                    r.sp -= 1
                    let b = r.sp.pointee, a = r.base[s]
                    if a.tag == .int && b.tag == .int {
                        let (sum, o) = a.asInt.addingReportingOverflow(b.asInt)
                        if o { throw fail("integer overflow") }
                        r.base[s] = Value(sum)
                    } else {
                        r.base[s] = try add(a, b)
                    }
                case .moduloSmall:
                    let n = Int64(Int16(bitPattern: UInt16(truncatingIfNeeded: r.readU16())))
                    let a = r.sp[-1]
                    if a.tag == .int && n > 0 {
                        let m = a.asInt % n
                        r.sp[-1] = Value(m < 0 ? m + n : m)
                    } else {
                        r.sp[-1] = try arithmetic(.modulo, a, Value(n))
                    }
                case .jumpUnlessEqualLocalSmall:
                    let x = r.base[r.readU8()]
                    let n = Int64(Int16(bitPattern: UInt16(truncatingIfNeeded: r.readU16())))
                    let t = r.readU32()
                    if !(x.tag == .int ? x.asInt == n : try valuesEqual(x, Value(n))) { r.ip = r.code + t }
                case .jumpUnlessNil:
                    let t = r.readU32()
                    r.sp -= 1
                    if r.sp.pointee.tag != .nil { r.ip = r.code + t }
                case .jumpIfNil:
                    let t = r.readU32()
                    r.sp -= 1
                    if r.sp.pointee.tag == .nil { r.ip = r.code + t }
                case .getLocalIndexSmall:
                    let obj = r.base[r.readU8()]
                    let i = Int64(Int16(bitPattern: UInt16(truncatingIfNeeded: r.readU16())))
                    if obj.tag == .list {
                        r.push(try listItem(obj, i))
                    } else {
                        r.push(try getIndex(obj, Value(i)))
                    }
                case .getLocal2:
                    let a = r.readU8(), b = r.readU8()
                    r.push(r.base[a])
                    r.push(r.base[b])
                case .jumpUnlessLessLocals:
                    let x = r.base[r.readU8()], y = r.base[r.readU8()]
                    let t = r.readU32()
                    if !(x.tag == .int && y.tag == .int ? x.asInt < y.asInt : try isLess(x, y)) { r.ip = r.code + t }
                case .jumpUnlessLessLocalSmall:
                    let x = r.base[r.readU8()]
                    let n = Int64(Int16(bitPattern: UInt16(truncatingIfNeeded: r.readU16())))
                    let t = r.readTarget()
                    if !(x.tag == .int ? x.asInt < n : try isLess(x, Value(n))) { r.ip = r.code + t }
                case .addSmall:
                    let n = Int64(Int16(bitPattern: UInt16(truncatingIfNeeded: r.readU16())))
                    let a = r.sp[-1]
                    if a.tag == .int {
                        let (sum, o) = a.asInt.addingReportingOverflow(n)
                        if o { throw fail("integer overflow") }
                        r.sp[-1] = Value(sum)
                    } else {
                        r.sp[-1] = try add(a, Value(n))
                    }
                case .subtractSmall:
                    let n = Int64(Int16(bitPattern: UInt16(truncatingIfNeeded: r.readU16())))
                    let a = r.sp[-1]
                    if a.tag == .int {
                        let (diff, o) = a.asInt.subtractingReportingOverflow(n)
                        if o { throw fail("integer overflow") }
                        r.sp[-1] = Value(diff)
                    } else {
                        r.sp[-1] = try arithmetic(.subtract, a, Value(n))
                    }
                case .localAddSmall:
                    let a = r.base[r.readU8()]
                    let n = Int64(Int16(bitPattern: UInt16(truncatingIfNeeded: r.readU16())))
                    if a.tag == .int {
                        let (sum, o) = a.asInt.addingReportingOverflow(n)
                        if o { throw fail("integer overflow") }
                        r.push(Value(sum))
                    } else {
                        r.push(try add(a, Value(n)))
                    }
                case .localSubtractSmall:
                    let a = r.base[r.readU8()]
                    let n = Int64(Int16(bitPattern: UInt16(truncatingIfNeeded: r.readU16())))
                    if a.tag == .int {
                        let (diff, o) = a.asInt.subtractingReportingOverflow(n)
                        if o { throw fail("integer overflow") }
                        r.push(Value(diff))
                    } else {
                        r.push(try arithmetic(.subtract, a, Value(n)))
                    }
                case .loopIfTrue:
                    let t = r.readU32()
                    r.sp -= 1
                    if !r.sp.pointee.isFalsy {
                        r.ip = r.code + t
                        if heap.wantsCollection { save(r); collectGarbage() }
                    }
                case .loopIfLessLocals:
                    let x = r.base[r.readU8()], y = r.base[r.readU8()]
                    let t = r.readTarget()
                    if x.tag == .int && y.tag == .int ? x.asInt < y.asInt : try isLess(x, y) {
                        r.ip = r.code + t
                        if heap.wantsCollection { save(r); collectGarbage() }
                    }
                case .loopIfLessLocalSmall:
                    let x = r.base[r.readU8()]
                    let n = Int64(Int16(bitPattern: UInt16(truncatingIfNeeded: r.readU16())))
                    let t = r.readTarget()
                    if x.tag == .int ? x.asInt < n : try isLess(x, Value(n)) {
                        r.ip = r.code + t
                        if heap.wantsCollection { save(r); collectGarbage() }
                    }
                case .addLocalSmall:
                    let s = r.readU8()
                    let n = Int64(Int16(bitPattern: UInt16(truncatingIfNeeded: r.readU16())))
                    let a = r.base[s]
                    if a.tag == .int {
                        let (sum, o) = a.asInt.addingReportingOverflow(n)
                        if o { throw fail("integer overflow") }
                        r.base[s] = Value(sum)
                    } else {
                        r.base[s] = try add(a, Value(n))
                    }
                case .jumpUnlessLess:
                    let t = r.readU32()
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 2
                    if !(a.tag == .int && b.tag == .int ? a.asInt < b.asInt : try isLess(a, b)) { r.ip = r.code + t }
                case .jumpUnlessLessEqual:
                    let t = r.readU32()
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 2
                    if !(a.tag == .int && b.tag == .int ? a.asInt <= b.asInt : try isLessEqual(a, b)) { r.ip = r.code + t }
                case .jumpUnlessGreater:
                    let t = r.readU32()
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 2
                    if !(a.tag == .int && b.tag == .int ? a.asInt > b.asInt : try isGreater(a, b)) { r.ip = r.code + t }
                case .jumpUnlessGreaterEqual:
                    let t = r.readU32()
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 2
                    if !(a.tag == .int && b.tag == .int ? a.asInt >= b.asInt : try isGreaterEqual(a, b)) { r.ip = r.code + t }
                case .jumpUnlessEqual:
                    let t = r.readU32()
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 2
                    if !(a.tag == .int && b.tag == .int ? a.bits == b.bits : try valuesEqual(a, b)) { r.ip = r.code + t }
                case .jumpUnlessNotEqual:
                    let t = r.readU32()
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 2
                    if a.tag == .int && b.tag == .int ? a.bits == b.bits : try valuesEqual(a, b) { r.ip = r.code + t }
                case .getLocal:
                    let s = r.readU8()
                    r.push(r.base[s])
                case .getUpvalue:
                    let u = r.readU8()
                    r.push(r.closureRef._withUnsafeGuaranteedRef { $0.upvalueRefs[u]._withUnsafeGuaranteedRef { $0.value } })
                case .getGlobal:
                    let g = r.readU16()
                    let v = globalSlots[g]
                    if v.tag == .undefined { throw undefinedVariable(globals.names[g]) }
                    r.push(v)
                case .defineGlobal:
                    let g = r.readU16()
                    globalSlots[g] = r.pop()
                case .getIndex:
                    let idx = r.sp[-1], obj = r.sp[-2]
                    r.sp -= 1
                    if obj.tag == .list && idx.tag == .int {
                        r.sp[-1] = try listItem(obj, idx.asInt)
                    } else {
                        r.sp[-1] = try getIndex(obj, idx)
                    }
                case .setIndex:
                    let v = r.sp[-1], idx = r.sp[-2], obj = r.sp[-3]
                    try setIndex(obj, idx, v)
                    r.sp -= 3
                case .getField:
                    let i = r.readU16()
                    let obj = r.sp[-1]
                    if obj.tag == .map {
                        r.sp[-1] = mapField(obj, r.consts[i], hint: r.fieldHint(i))
                    } else {
                        r.sp[-1] = try getField(obj, r.consts[i])
                    }
                case .getLocalField:
                    let obj = r.base[r.readU8()]
                    let i = r.readU16()
                    if obj.tag == .map {
                        r.push(mapField(obj, r.consts[i], hint: r.fieldHint(i)))
                    } else {
                        r.push(try getField(obj, r.consts[i]))
                    }
                case .setField:
                    let i = r.readU16()
                    let v = r.sp[-1], obj = r.sp[-2]
                    if obj.tag == .map {
                        setMapField(obj, r.consts[i], hint: r.fieldHint(i), v)
                    } else {
                        try setField(obj, r.consts[i], v)
                    }
                    r.sp -= 2
                case .add:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    if a.tag == .int && b.tag == .int {
                        let (s, o) = a.asInt.addingReportingOverflow(b.asInt)
                        if o { throw fail("integer overflow") }
                        r.sp[-1] = Value(s)
                    } else if a.tag == .float && b.tag == .float {
                        r.sp[-1] = Value(a.asFloat + b.asFloat)
                    } else {
                        r.sp[-1] = try add(a, b)
                    }
                case .localsSubtract:
                    // `x - y` of two locals: both pushed, then the `-` below without a
                    // dispatch between them. Falling through to the shared code, not a copy of
                    // it: with a copy, LLVM kept the stack pointer in memory across the whole
                    // loop (a load and a store on every instruction, fib 3-5% slower).
                    let a = r.readU8(), b = r.readU8()
                    r.push(r.base[a])
                    r.push(r.base[b])
                    fallthrough
                case .subtract:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    if a.tag == .int && b.tag == .int {
                        let (s, o) = a.asInt.subtractingReportingOverflow(b.asInt)
                        if o { throw fail("integer overflow") }
                        r.sp[-1] = Value(s)
                    } else if a.tag == .float && b.tag == .float {
                        r.sp[-1] = Value(a.asFloat - b.asFloat)
                    } else {
                        r.sp[-1] = try arithmetic(.subtract, a, b)
                    }
                case .localsMultiply:
                    // `x * y` of two locals, falling through to `*` as `localsSubtract` does to `-`.
                    let a = r.readU8(), b = r.readU8()
                    r.push(r.base[a])
                    r.push(r.base[b])
                    fallthrough
                case .multiply:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    if a.tag == .int && b.tag == .int {
                        let (s, o) = a.asInt.multipliedReportingOverflow(by: b.asInt)
                        if o { throw fail("integer overflow") }
                        r.sp[-1] = Value(s)
                    } else if a.tag == .float && b.tag == .float {
                        r.sp[-1] = Value(a.asFloat * b.asFloat)
                    } else {
                        r.sp[-1] = try arithmetic(.multiply, a, b)
                    }
                case .divide:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    if a.tag == .float && b.tag == .float && b.asFloat != 0 {
                        r.sp[-1] = Value(a.asFloat / b.asFloat)
                    } else {
                        r.sp[-1] = try arithmetic(.divide, a, b)
                    }
                case .floorDivide:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    if a.tag == .int && b.tag == .int && b.asInt > 0 {
                        // A positive divisor: no error, no overflow (bench/words' `state // 16`).
                        let x = a.asInt, y = b.asInt
                        let q = x / y
                        r.sp[-1] = Value(x < 0 && q &* y != x ? q &- 1 : q)
                    } else {
                        r.sp[-1] = try arithmetic(.floorDivide, a, b)
                    }
                case .modulo:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    if a.tag == .int && b.tag == .int && b.asInt > 0 {
                        let m = a.asInt % b.asInt
                        r.sp[-1] = Value(m < 0 ? m + b.asInt : m)
                    } else {
                        r.sp[-1] = try arithmetic(.modulo, a, b)
                    }
                case .power, .bitAnd, .bitOr, .bitXor, .shiftLeft, .shiftRight:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    r.sp[-1] = try powerOrBitwise(op, a, b)
                case .bitNot:
                    let a = r.sp[-1]
                    guard a.tag == .int else { throw fail("cannot apply '~' to \(a.typeName)") }
                    r.sp[-1] = Value(~a.asInt)
                case .negate:
                    let a = r.sp[-1]
                    if a.tag == .int {
                        if a.asInt == .min { throw fail("integer overflow") }
                        r.sp[-1] = Value(-a.asInt)
                    } else if a.tag == .float {
                        r.sp[-1] = Value(-a.asFloat)
                    } else {
                        throw fail("cannot negate \(a.typeName)")
                    }
                case .not:
                    r.sp[-1] = Value(r.sp[-1].isFalsy)
                case .equal:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    r.sp[-1] = Value(a.tag == .int && b.tag == .int ? a.bits == b.bits : try valuesEqual(a, b))
                case .notEqual:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    r.sp[-1] = Value(a.tag == .int && b.tag == .int ? a.bits != b.bits : try !valuesEqual(a, b))
                case .less:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    r.sp[-1] = Value(a.tag == .int && b.tag == .int ? a.asInt < b.asInt : try isLess(a, b))
                case .lessEqual:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    r.sp[-1] = Value(a.tag == .int && b.tag == .int ? a.asInt <= b.asInt : try isLessEqual(a, b))
                case .greater:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    r.sp[-1] = Value(a.tag == .int && b.tag == .int ? a.asInt > b.asInt : try isGreater(a, b))
                case .greaterEqual:
                    let b = r.sp[-1], a = r.sp[-2]
                    r.sp -= 1
                    r.sp[-1] = Value(a.tag == .int && b.tag == .int ? a.asInt >= b.asInt : try isGreaterEqual(a, b))
                case .jump:
                    let t = r.readTarget()
                    r.ip = r.code + t
                case .jumpIfFalse:
                    let t = r.readU32()
                    if r.sp[-1].isFalsy { r.ip = r.code + t }
                case .jumpIfTrue:
                    let t = r.readU32()
                    if !r.sp[-1].isFalsy { r.ip = r.code + t }
                case .popJumpIfFalse:
                    let t = r.readTarget()
                    r.sp -= 1
                    if r.sp.pointee.isFalsy { r.ip = r.code + t }
                case .loop:
                    let t = r.readTarget()
                    r.ip = r.code + t
                    if heap.wantsCollection { save(r); collectGarbage() }
                case .call:
                    let argc = r.readU8()
                    let calleeSlot = r.sp - argc - 1
                    let callee = calleeSlot.pointee
                    if callee.tag == .closure {
                        try pushFrame(callee, calleeSlot: calleeSlot, argc: argc, &r)
                    } else {
                        var rr = r
                        let stop = try callOther(calleeSlot: calleeSlot, argc: argc, &rr)
                        r = rr
                        if let stop { return stop }
                    }
                case .invoke:
                    let nameConst = r.readU16()
                    let id = r.readU16()
                    let argc = r.readU8()
                    var rr = r
                    let stop = try invoke(nameConst: nameConst, id: id, argc: argc, &rr)
                    r = rr
                    if let stop { return stop }
                case .closure:
                    let proto = r.closure.proto.protos[r.readU16()]
                    var ups = ContiguousArray<Upvalue>()
                    ups.reserveCapacity(proto.upvalues.count)
                    for _ in 0..<proto.upvalues.count {
                        let isLocal = r.readU8() == 1
                        let index = r.readU8()
                        if isLocal {
                            ups.append(running.captureUpvalue(slot: (r.base - running.stack) + index))
                        } else {
                            ups.append(r.closure.upvalues[index])
                        }
                    }
                    r.push(heap.adopt(ClosureObj(proto: proto, upvalues: ups), tag: .closure))
                    if heap.wantsCollection { save(r); collectGarbage() }
                case .closeUpvalue:
                    running.closeUpvalues(from: (r.sp - 1) - running.stack)
                    r.sp -= 1
                case .returnLocal:
                    r.push(r.base[r.readU8()])
                    fallthrough
                case .return:
                    let result = r.sp[-1]
                    // Three closures, not one: the one that holds `popFrame` stays a call
                    // (Fiber.popPlainFrame), so the common case must not be inside it.
                    let caller =
                        runningRef._withUnsafeGuaranteedRef({ $0.mayHoldFrameState })
                        ? runningRef._withUnsafeGuaranteedRef({ $0.popFrame() })
                        : runningRef._withUnsafeGuaranteedRef({ $0.popPlainFrame() })
                    if let caller {
                        let frame = caller.pointee
                        let stack = runningRef._withUnsafeGuaranteedRef { $0.stack }
                        r.sp = r.base  // the callee's slot, where the result goes
                        r.closureRef = frame.closure
                        r.ip = frame.pc
                        r.base = stack + frame.base
                        r.push(result)
                    } else {
                        runningRef._withUnsafeGuaranteedRef { $0.sp = 0 }
                        if let stop = finishFiber(running, result: result) { return stop }
                        r = load()
                    }
                case .buildList:
                    let n = r.readU16()
                    let list = newList(copying: UnsafeBufferPointer(start: r.sp - n, count: n))
                    r.sp -= n
                    r.push(list)
                    if heap.wantsCollection { save(r); collectGarbage() }
                case .buildMap:
                    let n = r.readU16()
                    let m = try buildMap(UnsafeBufferPointer(start: r.sp - 2 * n, count: 2 * n))
                    r.sp -= 2 * n
                    r.push(m)
                    if heap.wantsCollection { save(r); collectGarbage() }
                case .buildString:
                    let n = r.readU16()
                    var parts = [String]()
                    parts.reserveCapacity(n)
                    for i in 0..<n { parts.append(try str((r.sp - n)[i])) }
                    let s = try concatenate(parts)
                    r.sp -= n
                    r.push(newString(s))
                    if heap.wantsCollection { save(r); collectGarbage() }
                case .stringPart:
                    let k = r.readU8()
                    _ = try concatByteCount(UnsafeBufferPointer(start: r.sp - k, count: k))
                case .concat:
                    let n = r.readU8()
                    let s = try concatenation(UnsafeBufferPointer(start: r.sp - n, count: n))
                    r.sp -= n
                    r.push(s)
                    if heap.wantsCollection { save(r); collectGarbage() }
                case .getIter:
                    r.sp[-1] = try makeIterator(r.sp[-1])
                case .forIter:
                    let exit = r.readU32()
                    let it = r.sp[-1]
                    if it.tag == .iterator {
                        let ioRef = Unmanaged<IteratorObj>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(it.bits)).unsafelyUnwrapped)
                        // A range steps in place: 1 = next value in `v`, 0 = finished, -1 = not a range.
                        var v = Value.nil
                        let state: Int = ioRef._withUnsafeGuaranteedRef { io in
                            guard io.kind == .range else { return -1 }
                            guard let next = RangeObj.step(&io.current, stop: io.stop, step: io.step) else { return 0 }
                            v = next
                            return 1
                        }
                        if state == 1 {
                            r.push(v)
                        } else if state == 0 {
                            r.push(.nil)
                            r.ip = r.code + exit
                        } else {
                            var rr = r
                            let stop = try iterate(ioRef.takeUnretainedValue(), exit: exit, &rr)
                            r = rr
                            if let stop { return stop }
                        }
                    } else {
                        var rr = r
                        let stop = try resumeForIteration(it, sent: .nil, exit: exit, &rr)
                        r = rr
                        if let stop { return stop }
                    }
                case .forLoop:
                    let body = r.readU32()
                    r.sp -= 1  // the finished iteration's variable
                    let it = r.sp[-1]
                    // 1 = next value in `v`, 0 = finished, -1 = not stepped here: FOR_ITER does it.
                    var v = Value.nil
                    var state = -1
                    if it.tag == .iterator {
                        // Unretained: the iterator is on the stack (see the top of this file).
                        state = it.unretained(IteratorObj.self) { io in
                            switch io.kind {
                            case .range:
                                guard let next = RangeObj.step(&io.current, stop: io.stop, step: io.step) else { return 0 }
                                v = next
                                return 1
                            case .list:
                                return io.source.unretained(ListObj.self) { list in
                                    guard io.index < list.count else { return 0 }
                                    v = list[io.index]
                                    io.index += 1
                                    return 1
                                }
                            default:
                                return -1
                            }
                        }
                    } else if it.tag == .int {
                        // A range loop (`stepRange`).
                        if let next = stepRange(r.sp - 3) {
                            v = next
                            state = 1
                        } else {
                            state = 0
                        }
                    }
                    if state == 1 {
                        r.push(v)
                        r.ip = r.code + body
                    } else if state == 0 {
                        r.push(.nil)
                    } else {
                        r.ip = r.code + OpCode.forLoopTop(body: body)
                    }
                    // A safe point, as LOOP is: the loop may allocate without calling anything.
                    if heap.wantsCollection { save(r); collectGarbage() }
                case .yieldFromNext:
                    let exit = r.readU32()
                    let sent = r.pop()
                    let it = r.sp[-1]
                    if it.tag == .iterator {
                        var rr = r
                        let stop = try iterate(it.obj(IteratorObj.self), exit: exit, &rr)
                        r = rr
                        if let stop { return stop }
                    } else {
                        let delegator = runningRef
                        var rr = r
                        let stop = try resumeForIteration(it, sent: sent, exit: exit, &rr)
                        r = rr
                        // Only a resume that happened makes `it` the delegate (a refused one, e.g. of
                        // a running coroutine, must not leave a stale delegate for `throw` to find).
                        if runningRef.toOpaque() != delegator.toOpaque() {
                            delegator._withUnsafeGuaranteedRef {
                                $0.delegate = it; $0.delegateExit = exit
                            }
                        }
                        if let stop { return stop }
                    }
                case .yield:
                    var rr = r
                    let stop = yieldValue(&rr)
                    r = rr
                    if let stop { return stop }
                case .tryBegin, .tryFinally:
                    let t = r.readU32()
                    running.installHandler(
                        Handler(frameCount: running.frameCount, sp: r.sp - running.stack, target: t, isFinally: op == .tryFinally))
                case .tryEnd:
                    running.removeHandler()
                case .throw:
                    let v = r.pop()
                    throw VMError(value: v)
                case .rethrow:
                    let v = r.pop()
                    rethrowing = true
                    throw VMError(value: v)
                case .spawn:
                    let argc = r.readU8()
                    let calleeSlot = r.sp - argc - 1
                    save(r)  // the spawn site is recorded from the saved ip
                    let task = try spawnTask(UnsafeBufferPointer(start: calleeSlot, count: argc + 1))
                    r.sp = calleeSlot
                    r.push(task)
                    if heap.wantsCollection { save(r); collectGarbage() }
                }
            } catch {
                r.ip = opStart
                save(r)
                if Interpreter.interruptFlag.pointee != 0 {
                    // Ctrl-C during a long builtin: stop before the instruction, as the checkpoint does.
                    budget = 0
                    lastBudget = 0
                    return .interrupted
                }
                if let stop = handleError(withPlainCallHint(error.value)) { return stop }
                r = load()
                if options.maxSteps != nil {
                    // Checkpoint at the next instruction (the step count stays exact), so a caught
                    // step-limit error from a builtin is raised again at once.
                    lastBudget -= budget
                    budget = 0
                }
            }
        }
    }

    /// Pushes a call frame for `cl` whose callee and arguments are at `calleeSlot`.
    @inline(__always)
    func pushFrame(_ callee: Value, calleeSlot: UnsafeMutablePointer<Value>, argc: Int, _ r: inout Registers) throws(VMError) {
        let clRef = Unmanaged<ClosureObj>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(callee.bits)).unsafelyUnwrapped)
        let (arity, maxStack, code) = clRef._withUnsafeGuaranteedRef { ($0.arity, $0.maxStack, $0.code) }
        if arity != argc { throw arityError(clRef.takeUnretainedValue().proto.name, expected: arity, got: argc) }
        let ip = r.ip, sp = r.sp
        let newBase = runningRef._withUnsafeGuaranteedRef {
            $0.pushCallFrame(closure: clRef, code: code, maxStack: maxStack, calleeSlot: calleeSlot, returnTo: ip, sp: sp)
        }
        guard let newBase else { throw fail("stack overflow") }
        r.closureRef = clRef
        r.ip = code
        r.base = newBase
        r.sp = newBase + argc + 1
    }

    func arityError(_ name: String, expected: Int, got: Int) -> VMError {
        let fname = name.isEmpty ? "function" : name
        return fail("\(fname) expects \(expected) argument\(expected == 1 ? "" : "s") but got \(got)")
    }

    /// Every `budget` instructions: tracing, step limits, interrupts and pending collections.
    /// The dispatch loop has saved its registers (`save`) and loads them again afterwards.
    func checkpoint() -> ExecStop? {
        let period = max(lastBudget, 0)
        steps &+= period
        if Interpreter.interruptFlag.pointee != 0 {
            budget = 0
            lastBudget = 0
            return .interrupted
        }
        if tracing { traceInstruction(load()) }
        if let recorder, recorder.wantsLines {
            let frame = running.topFrame.pointee
            recorder.instruction(proto: frame.closure._withUnsafeGuaranteedRef { $0.proto }, offset: frame.ip)
        }
        if let limit = options.maxSteps, steps > limit {
            budget = 0
            lastBudget = 1
            // Raised as a runtime error at the instruction about to run.
            let e = fail(stepLimitMessage(limit))
            return handleError(e.value)
        }
        // Under --max-memory, also measure now and then: a map or channel can grow without
        // allocating objects, which is what normally triggers a collection (see `limitWantsCollection`).
        if heap.wantsCollection
            || (options.maxMemoryMB != nil && steps - stepsAtLastMeasure >= VM.memoryCheckInterval && limitWantsCollection())
        {
            stepsAtLastMeasure = steps
            collectGarbage()
        }
        if memoryExceeded {
            memoryExceeded = false
            let e = fail(memoryLimitMessage)
            if let stop = handleError(e.value) { return stop }
        }
        if options.preempt != nil && steps >= sliceEnd {
            // Threads mode: the slice is over, so the task is switched out here, between two
            // instructions, whatever it is doing (the registers are saved; it resumes here).
            preempted = true
            budget = 0
            lastBudget = 0
            return .yielded
        }
        if turnDeadline != .max && Clock.monotonicNanos() >= turnDeadline {
            // The REPL's prompt takes its turn from a task that has not yielded (see
            // `promptTurnNanos`); the task continues here at its next turn.
            turnCut = true
            budget = 0
            lastBudget = 0
            return .yielded
        }
        // Tracing and recording look at every instruction: a checkpoint before each.
        var next = tracing || recorder?.wantsLines == true ? 1 : VM.checkpointInterval
        if let limit = options.maxSteps { next = min(next, max(limit - steps, 1)) }  // no +1: limit may be Int.max
        if options.preempt != nil { next = min(next, max(sliceEnd - steps, 1)) }
        budget = next - 1
        lastBudget = next
        return nil
    }
}
