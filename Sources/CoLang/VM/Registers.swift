// The cached registers of the dispatch loop and how they are saved to and loaded from a fiber.

/// Hot state of the running frame, kept in locals by the dispatch loop.
struct Registers {
    // `ip`, `code` and `consts` point into the running prototype's buffers, which never move and
    // live as long as the closure (FunctionProto.code). `base` and `sp` point into the running
    // fiber's stack, which moves only when it or the frames grow (`Fiber.reserve`); they are set again
    // from the fiber after that (`pushFrame` from the grown stack, other paths by `save`/`load`).
    var ip: UnsafeMutablePointer<UInt8>
    var base: UnsafeMutablePointer<Value>
    var sp: UnsafeMutablePointer<Value>
    // Unretained (no reference counting per instruction): the running closure sits in the
    // fiber's frames, reached from the roots, so the heap keeps it alive while it runs;
    // `_withUnsafeGuaranteedRef` on it is sound for the same reason. The running fiber is not a
    // register: it is `VM.currentRef` (`VM.runningRef`), which every switch sets before it loads
    // the registers again.
    var closureRef: Unmanaged<ClosureObj>

    /// The running closure's code and constants, read through it rather than kept in registers
    /// of their own: fewer live values in the dispatch loop leave `sp` and `base` in machine
    /// registers (issue 17).
    var code: UnsafeMutablePointer<UInt8> { closureRef._withUnsafeGuaranteedRef { $0.code } }
    var consts: UnsafeMutablePointer<Value> { closureRef._withUnsafeGuaranteedRef { $0.consts } }
    /// The running closure's field hint for constant `i` (`FunctionProto.fieldHints`).
    @inline(__always) func fieldHint(_ i: Int) -> UnsafeMutablePointer<Int32> { closureRef._withUnsafeGuaranteedRef { $0.fieldHints + i } }

    /// The running closure as a reference, for cold paths (hot ones use the ref).
    var closure: ClosureObj { closureRef.takeUnretainedValue() }

    @inline(__always) mutating func readU8() -> Int {
        let v = Int(ip.pointee)
        ip += 1
        return v
    }
    @inline(__always) mutating func readU16() -> Int {
        let v = Int(ip[0]) | (Int(ip[1]) << 8)
        ip += 2
        return v
    }
    @inline(__always) mutating func readU32() -> Int {
        let v = Int(ip[0]) | (Int(ip[1]) << 8) | (Int(ip[2]) << 16) | (Int(ip[3]) << 24)
        ip += 4
        return v
    }
    /// A 32-bit jump target in one unaligned load, where `readU32` assembles it from four bytes
    /// (ten instructions). Used by the jumps that close counting loops and guard recursion
    /// (`LOOP_IF_LESS_LOCALS`, `LOOP_IF_LESS_LOCAL_SMALL`, `JUMP_UNLESS_LESS_LOCAL_SMALL`) and by
    /// `JUMP`, `LOOP` and `POP_JUMP_IF_FALSE`: `loop` 5.3%, `fib` 3.1%, `gen` 2.1%, `send` 1.5%
    /// fewer instructions, no benchmark more. Not in every jump: with all of them the register
    /// allocator spilled in other handlers (`nbody` +5%, `loop` no better); the conditional
    /// jumps after a comparison added `nbody` +0.2% for 0.4-1% elsewhere (twelfth session; the
    /// eleventh tried it for every 32-bit operand).
    @inline(__always) mutating func readTarget() -> Int {
        let v = Int(UInt32(littleEndian: UnsafeRawPointer(ip).loadUnaligned(as: UInt32.self)))
        ip += 4
        return v
    }
    @inline(__always) mutating func push(_ v: Value) {
        assert(inFrame(sp), "push past the running frame's maxStack")
        sp.pointee = v
        sp += 1
    }
    @inline(__always) mutating func pop() -> Value {
        sp -= 1
        assert(sp >= base, "pop below the running frame")
        return sp.pointee
    }

    /// Debug check behind the unchecked pushes: `p` lies below the running frame's end (its
    /// base plus the `maxStack` the compiler computed), so a stack effect the compiler
    /// under-counts is caught in any frame, not only where the fiber's stack happens to end.
    func inFrame(_ p: UnsafeMutablePointer<Value>) -> Bool {
        p < base + closureRef._withUnsafeGuaranteedRef { $0.maxStack }
    }
    @inline(__always) func peek(_ distance: Int) -> Value { sp[-1 - distance] }
}

extension VM {
    /// The running fiber (`currentRef`): registers exist only while one runs.
    @inline(__always) var runningRef: Unmanaged<Fiber> { currentRef.unsafelyUnwrapped }
    /// The running fiber as a reference, for cold paths.
    var running: Fiber { runningRef.takeUnretainedValue() }

    /// Debug check: `p` points into the running fiber's stack (the compiler sized every frame
    /// from the opcodes' stack effects, and `pushFrame` grew the stack to fit, so release builds
    /// skip the test).
    func inRunningStack(_ p: UnsafeMutablePointer<Value>, orEnd: Bool) -> Bool {
        runningRef._withUnsafeGuaranteedRef { f in p >= f.stack && (orEnd ? p <= f.stack + f.capacity : p < f.stack + f.capacity) }
    }

    /// Writes the registers back into the running fiber (sp and the top frame's ip).
    ///
    /// The ip goes through the frame's offset (`CallFrame.ip`), which computes the same `pc` the
    /// frame stores, not straight into `pc`: writing `pc = r.ip` is two instructions shorter here,
    /// but without this use of the running closure at every save the register allocator kept
    /// `sp` in memory across the whole dispatch loop (twelfth session: `loop` and `nbody` 3-4%
    /// more instructions, `gen` slower in wall time).
    @inline(__always) func save(_ r: Registers) {
        assert(inRunningStack(r.sp, orEnd: true) && inRunningStack(r.base, orEnd: false), "saving registers of another stack")
        let sp = r.sp, ip = r.ip - r.code
        runningRef._withUnsafeGuaranteedRef { f in
            f.sp = sp - f.stack
            f.topFrame.pointee.ip = ip
        }
    }

    /// Loads the registers of the current fiber's top frame.
    @inline(__always) func load() -> Registers {
        let fRef = currentRef.unsafelyUnwrapped  // registers are loaded only while a fiber runs
        return fRef._withUnsafeGuaranteedRef { f in
            let frame = f.topFrame.pointee
            return Registers(
                ip: frame.pc, base: f.stack + frame.base, sp: f.stack + f.sp,
                closureRef: frame.closure)
        }
    }
}

extension UnsafeMutablePointer where Pointee == Value {
    /// `self - base` for a slot at or above `base` (an index into a fiber's stack): a shift of
    /// the byte distance. The `-` of two pointers divides with rounding toward zero, four
    /// instructions where one does for a distance that cannot be negative (the call path).
    @inline(__always) func slotIndex(from base: UnsafeMutablePointer<Value>) -> Int {
        assert(self >= base, "a slot below the stack's base")
        assert(MemoryLayout<Value>.stride == 16, "slotIndex shifts by log2 of Value's stride")
        return (Int(bitPattern: self) &- Int(bitPattern: base)) &>> 4
    }
}
