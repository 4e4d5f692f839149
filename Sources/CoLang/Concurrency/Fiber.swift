// A coroutine: a VM object owning its value stack, call frames and handlers.
import CoLangSyntax

/// What a fiber is doing, as stored. `active` means "on a task's resume chain"; whether an
/// active coroutine is `running` (the innermost of the chain) or `normal` (it resumed another)
/// is derived from the chain, as Lua derives it, so a switch writes no statuses.
enum FiberState: UInt8 {
    case created, suspended, active, done, failed
}

/// The status values of `co.status` (README, "Coroutines").
enum CoStatus: UInt8 {
    case created, suspended, running, normal, done, failed
    var name: String {
        switch self {
        case .created: return "created"
        case .suspended: return "suspended"
        case .running: return "running"
        case .normal: return "normal"
        case .done: return "done"
        case .failed: return "failed"
        }
    }
}

/// One active function call. The closure stays alive through stack slot `base` (`closure` is
/// unretained: the stack slot at `base` holds the closure for as long as the frame exists).
///
/// 24 bytes (issue 17: every suspended coroutine holds one). Where the frame continues is kept
/// as a pointer into the closure's code (`pc`), which never moves while the closure lives
/// (`FunctionProto.code`): calling, returning and loading the registers copy it as it is,
/// without the subtraction and addition an offset costs (twelfth session); `ip` gives the
/// offset for the other paths (saving the registers: see `VM.save`; error locations, traces,
/// handlers). `base` is stored in 32 bits and read as `Int` (a sign-extending load, no more
/// instructions than a word): sound because a stack index stays below a fiber's capacity,
/// which `Fiber.reserve` holds within `Int32`.
struct CallFrame {
    var closure: Unmanaged<ClosureObj>
    /// Where the frame continues: the address of its next instruction in the closure's code.
    var pc: UnsafeMutablePointer<UInt8>
    private var storedBase: Int32

    /// The start of the closure's code.
    var code: UnsafeMutablePointer<UInt8> { closure._withUnsafeGuaranteedRef { $0.code } }
    /// Where the frame continues, as an offset into `code`.
    var ip: Int {
        get { pc - code }
        set {
            // -1 too: raising into a task paused before its function's first instruction steps
            // back from it (`VM.raiseAtYield`; the REPL's `hog.cancel()` in
            // Tests/repl/repl_issue16.py does); the location lookups clamp it.
            assert(
                newValue >= -1 && newValue <= closure._withUnsafeGuaranteedRef { $0.proto.codeCount }, "a code offset outside the function")
            pc = code + newValue
        }
    }
    /// The stack slot of the callee; the arguments and locals follow it.
    var base: Int {
        @inline(__always) get { Int(storedBase) }
        @inline(__always) set {
            storedBase = Int32(narrowing: newValue, "a stack index past Int32")
        }
    }

    init(closure cl: ClosureObj, ip: Int, base: Int) {
        self.init(closure: Unmanaged.passUnretained(cl), pc: cl.code + ip, base: base)
    }

    init(closure: Unmanaged<ClosureObj>, pc: UnsafeMutablePointer<UInt8>, base: Int) {
        self.closure = closure; self.pc = pc
        self.storedBase = Int32(narrowing: base, "a stack index past Int32")
    }
}

extension Int32 {
    /// `value` in 32 bits, for the counters and offsets `CallFrame` and `Fiber` store narrow: the
    /// caller's invariant keeps it in range, which debug builds assert (`message` says what
    /// would have overflowed); release builds truncate without a check.
    @inline(__always) init(narrowing value: Int, _ message: @autoclosure () -> String) {
        assert(Int32(exactly: value) != nil, message())
        self.init(truncatingIfNeeded: value)
    }
}

/// An installed `try` handler: a `catch` block, or a `finally` block (which also runs when a
/// close or a cancellation unwinds through it).
struct Handler {
    var frameCount: Int
    var sp: Int
    var target: Int
    var isFinally: Bool
}

/// The part a fiber plays in a close or a cancellation under way (see `VM.closeCoroutine`,
/// `VM.cancel`): what a `yield` in its `finally` blocks does, and where the unwinding ends.
enum UnwindRole: UInt8 {
    case none
    /// The coroutine `close()` was called on: when the unwinding leaves it, `close()` returns.
    case closeTarget
    /// A `yield from` delegate closed before its delegator.
    case closeDelegate
    /// A fiber of a cancelled task's resume chain.
    case cancel
}

/// The fields of a fiber that most coroutines never set, kept apart so that a suspended
/// coroutine stays small (issue 17): allocated the first time one of them is set to something
/// other than its default, and reached through `Fiber`'s properties and methods.
final class FiberExtras {
    var delegate: Value = .nil
    var delegateExit = -1
    var origin: (source: SourceText, loc: SourceLoc)?
    var primeSend: Value?
    /// Installed `try` handlers, innermost last.
    var handlers: ContiguousArray<Handler> = []
    /// Open upvalues, ascending by slot.
    var openUpvalues: ContiguousArray<Upvalue> = []
    /// Whether a returning frame may have handlers to drop or upvalues to close.
    var holdsFrameState: Bool { !handlers.isEmpty || !openUpvalues.isEmpty }
}

/// A coroutine (the `coroutine` type) or the root coroutine of a task. Switching between
/// fibers is a pointer swap in the VM: each fiber keeps everything needed to continue.
///
/// Memory (issue 17): a million suspended coroutines are a million of these, so the object is
/// 104 bytes (a 112-byte malloc chunk; `FiberLayoutTests` holds it there) and owns one other
/// allocation. Swift lays out stored properties in declaration order, each at the next offset
/// its alignment allows, so the order below is the layout:
/// - the one-byte fields come first and pack into the padding after `Obj`'s flags, then `sp`,
///   then the other counters stored in 32 bits (see `frameCount`), then the words; the `id` is
///   split into the two paddings this leaves;
/// - the entry function is stored as a tag and the bits of its `Value`, whose 7 bytes of padding
///   after the tag would otherwise cost a word;
/// - the rarely set fields, `try` handlers and open upvalues included, live in `FiberExtras`;
///   a finished coroutine's result lives in its stack (`result`);
/// - the call frames and the value stack share one block (`frames`), sized to what the entry
///   function needs (`makeFiber`), not rounded up.
final class Fiber: Obj {
    var state: FiberState = .created
    /// Its part in a close or a cancellation under way.
    var unwinding: UnwindRole = .none
    /// The one test for "this fiber is a task's root" (a plain flag, cheap when switching): a
    /// root's resumer is the scheduler, so yielding from it gives up the task's turn.
    private(set) var isTaskRoot = false
    /// The tag of `entry`.
    private let entryTag: Tag
    /// Bits 32–47 of `id` (in the padding before `sp`).
    private let idHigh: UInt16

    /// Slots of `stack` in use. A full word, unlike the other counters: every switch saves and
    /// reloads it, and stored in 32 bits it measured about 10% slower on `gen` in wall time
    /// (with fewer instructions; see bench/README.md, "Memory per suspended coroutine").
    var sp = 0
    // The other counters, stored in 32 bits and read and written as `Int` through the properties
    // below (a sign-extending load, a truncating store: no more instructions than a full word).
    // Sound because each stays inside `Int32`: stack slots by `reserve`'s precondition
    // (`capacity` ≤ `Int32.max`), frames by the limit (`frameCount` ≤ `frameLimit` ≤
    // `VM.maxFrames`, and a limit passed down a chain of resumes loses at most the chain's frames
    // and resume weights, which are within `VM.maxFrames` too), `resumeExit` by the size of a
    // function's code (asserted where they are set).
    private var storedCapacity: Int32
    private var storedFrameCount: Int32 = 0
    private var storedFrameCapacity: Int32
    private var storedFrameLimit = Int32(VM.maxFrames)
    private var storedResumeExit: Int32 = -1
    /// Bits 0–31 of `id` (in the padding after the counters).
    private let idLow: UInt32

    /// The value stack: `capacity` slots, of which `sp` are initialised. It lies in the block
    /// that starts at `frames`, after the frames; frames and upvalues hold offsets into it (not
    /// pointers), so moving it when either part grows is safe (`reserve`).
    private(set) var stack: UnsafeMutablePointer<Value>
    /// Call frames, innermost last: the start of the block this fiber owns (allocated by
    /// `allocateBlock`, freed in `deinit`), which holds `frameCapacity` frames and then the
    /// stack. A manual buffer: no copy-on-write checks on the hot path, and one malloc chunk
    /// for a small coroutine instead of two.
    private(set) var frames: UnsafeMutablePointer<CallFrame>
    /// The fiber that resumed this one, while it runs (unretained: switching touches no counts;
    /// sound because `trace` marks it, and a resumer is always further down the same live chain).
    var resumerRef: Unmanaged<Fiber>?
    /// The bits of `entry`.
    private let entryBits: UInt64
    /// The rarely set fields (nil until one is set).
    private var extras: FiberExtras?
    /// For a task's root fiber: its task. Unowned and unchecked, which is sound because the
    /// collector keeps them together: a root's `trace` marks its task and the task's marks the root.
    unowned(unsafe) var task: TaskObj? { didSet { isTaskRoot = task != nil } }

    /// The coroutine's number (`<coroutine body #3>`), stored in 48 bits split across two
    /// paddings, which keeps the object at 104 bytes: numbers repeat only after 2^48 coroutines.
    var id: Int { Int(idLow) | Int(idHigh) << 32 }

    var capacity: Int { @inline(__always) get { Int(storedCapacity) } }
    var frameCount: Int {
        @inline(__always) get { Int(storedFrameCount) }
        @inline(__always) set {
            assert(newValue >= 0 && newValue <= frameCapacity, "frame count outside the frames")
            storedFrameCount = Int32(truncatingIfNeeded: newValue)
        }
    }
    var frameCapacity: Int { @inline(__always) get { Int(storedFrameCapacity) } }
    /// Frames this fiber may hold: `VM.maxFrames` less the frames of the fibers that resumed it
    /// (and `VM.resumeWeight` per resume), so a chain of nested resumes overflows like a deep
    /// recursion does, instead of growing without bound. Set at each resume.
    var frameLimit: Int {
        @inline(__always) get { Int(storedFrameLimit) }
        @inline(__always) set {
            assert(abs(newValue) <= 2 * VM.maxFrames, "frame limit out of range")
            storedFrameLimit = Int32(truncatingIfNeeded: newValue)
        }
    }
    /// What is left of the limit for a coroutine this fiber resumes.
    var frameLimitForResumed: Int { frameLimit - frameCount - VM.resumeWeight }
    /// When resumed by a `for` loop or `yield from`: where the resumer continues once this finishes.
    var resumeExit: Int {
        @inline(__always) get { Int(storedResumeExit) }
        @inline(__always) set {
            storedResumeExit = Int32(narrowing: newValue, "a code offset past 2 GiB")
        }
    }

    /// `co.status`: the stored state, with `active` told apart by the resume chain: the
    /// innermost fiber of its task's chain is `running` (also while that task sleeps or
    /// blocks inside it), the others are `normal`. Walks the chain: for reports, not hot paths.
    var status: CoStatus {
        switch state {
        case .created: return .created
        case .suspended: return .suspended
        case .done: return .done
        case .failed: return .failed
        case .active:
            var root = self
            while let next = root.resumer { root = next }
            return root.task?.active === self ? .running : .normal
        }
    }
    /// Whether the coroutine has ended (done or failed).
    var isFinished: Bool { state == .done || state == .failed }
    var resumer: Fiber? {
        get { resumerRef?.takeUnretainedValue() }
        set { resumerRef = newValue.map { Unmanaged.passUnretained($0) } }
    }
    /// What a done coroutine returned: kept in stack slot 0, the one slot a finished coroutine
    /// still uses (`releaseStack`), so that no coroutine carries a field for it.
    var result: Value { state == .done && sp > 0 ? stack[0] : .nil }
    /// The function it runs.
    var entry: Value { Value(tag: entryTag, bits: entryBits) }
    private var extrasForWriting: FiberExtras {
        if let e = extras { return e }
        let e = FiberExtras()
        extras = e
        return e
    }
    /// The coroutine this one is running with `yield from`, so `throw` can be forwarded.
    var delegate: Value {
        get { extras?.delegate ?? .nil }
        set { if extras != nil || !newValue.isNil { extrasForWriting.delegate = newValue } }
    }
    /// Where this fiber's `yield from` loop exits once `delegate` finishes.
    var delegateExit: Int {
        get { extras?.delegateExit ?? -1 }
        set { if extras != nil || newValue != -1 { extrasForWriting.delegateExit = newValue } }
    }
    /// Where the coroutine or task was created: errors in code with no source position of its
    /// own (a builtin run directly as a task or coroutine) are reported there.
    var origin: (source: SourceText, loc: SourceLoc)? {
        get { extras?.origin }
        set { if extras != nil || newValue != nil { extrasForWriting.origin = newValue } }
    }
    /// A value `send` delivers at the first `yield` after priming a created coroutine.
    var primeSend: Value? {
        get { extras?.primeSend }
        set { if extras != nil || newValue != nil { extrasForWriting.primeSend = newValue } }
    }
    /// The entry function's name (computed, so a suspended coroutine stays small).
    var name: String {
        switch entryTag {
        case .closure:
            let n = entry.asClosure.proto.name
            return n.isEmpty ? "anonymous" : n
        case .native: return entry.obj(NativeObj.self).name
        case .boundMethod: return entry.obj(BoundMethodObj.self).name
        default: return task?.name ?? "main"
        }
    }

    init(id: Int, entry: Value, capacity: Int) {
        let slots = max(capacity, 1)
        precondition(slots <= Int(Int32.max), "stack overflow")
        self.idLow = UInt32(truncatingIfNeeded: id)
        self.idHigh = UInt16(truncatingIfNeeded: id >> 32)
        self.entryTag = entry.tag
        self.entryBits = entry.bits
        self.storedCapacity = Int32(slots)
        self.storedFrameCapacity = 1
        (self.frames, self.stack) = Fiber.allocateBlock(frames: 1, slots: slots)
    }

    deinit {
        UnsafeMutableRawPointer(frames).deallocate()
    }

    /// Allocates a block of `frameCount` call frames followed by `slots` stack slots, both
    /// uninitialised. Frames come first so that the stack starts at a multiple of the frame
    /// stride, which is a multiple of a `Value`'s alignment.
    private static func allocateBlock(frames frameCount: Int, slots: Int) -> (UnsafeMutablePointer<CallFrame>, UnsafeMutablePointer<Value>)
    {
        assert(MemoryLayout<CallFrame>.stride % MemoryLayout<Value>.alignment == 0, "the stack would be misaligned")
        let frameBytes = frameCount * MemoryLayout<CallFrame>.stride
        let block = UnsafeMutableRawPointer.allocate(
            byteCount: frameBytes + slots * MemoryLayout<Value>.stride,
            alignment: max(MemoryLayout<CallFrame>.alignment, MemoryLayout<Value>.alignment))
        return (
            block.bindMemory(to: CallFrame.self, capacity: frameCount), (block + frameBytes).bindMemory(to: Value.self, capacity: slots)
        )
    }

    /// Makes room for `neededFrames` frames and `neededSlots` stack slots: when either does not
    /// fit, both move to a new block (the part that grows doubles) and the open upvalues are
    /// re-pointed. The caller must have saved `sp` (the live slots are the first `sp`) and
    /// re-derive any pointer into the stack or the frames from the fiber afterwards.
    @inline(never) func reserve(frames neededFrames: Int, slots neededSlots: Int) {
        if neededFrames <= frameCapacity && neededSlots <= capacity { return }
        // A trap, not a silent truncation of the 32-bit counters (a stack this deep is 32 GB).
        precondition(neededSlots <= Int(Int32.max), "stack overflow")
        let newFrameCapacity = Fiber.grownCapacity(frameCapacity, toFit: neededFrames)
        let newCapacity = Fiber.grownCapacity(capacity, toFit: neededSlots)
        let (newFrames, newStack) = Fiber.allocateBlock(frames: newFrameCapacity, slots: newCapacity)
        newFrames.moveInitialize(from: frames, count: frameCount)
        newStack.moveInitialize(from: stack, count: sp)
        UnsafeMutableRawPointer(frames).deallocate()
        (frames, stack) = (newFrames, newStack)
        storedFrameCapacity = Int32(truncatingIfNeeded: newFrameCapacity)
        storedCapacity = Int32(truncatingIfNeeded: newCapacity)
        if let e = extras { for u in e.openUpvalues { u.slot = stack + u.index } }
    }

    /// `capacity` if `needed` fits, else doubled until it does (at most `Int32.max`).
    private static func grownCapacity(_ capacity: Int, toFit needed: Int) -> Int {
        if needed <= capacity { return capacity }
        var n = max(capacity * 2, 1)
        while n < needed { n *= 2 }
        return min(n, Int(Int32.max))
    }

    /// Grows the stack so `needed` slots fit (`reserve`; `sp` must be saved).
    func ensureCapacity(_ needed: Int) {
        if needed > capacity { reserve(frames: frameCount, slots: needed) }
    }

    /// The innermost frame; only valid while `frameCount > 0`.
    @inline(__always) var topFrame: UnsafeMutablePointer<CallFrame> { frames + (frameCount - 1) }

    /// Adds a frame; the caller has made room for it (`reserve`), since growing the frames
    /// moves the stack too.
    @inline(__always) func appendFrame(_ frame: CallFrame) {
        assert(frameCount < frameCapacity, "a frame appended without room")
        (frames + frameCount).initialize(to: frame)
        frameCount += 1
    }

    /// The call path of the dispatch loop (`VM.pushFrame`): records where the caller continues
    /// (`returnTo`), adds a frame for `closure` whose callee slot is `calleeSlot`, growing the
    /// frames and stack when they are full (`sp`, the caller's stack top, says what to copy), and
    /// returns the new frame's base; nil when the frame limit is reached (a stack overflow).
    /// The fields it needs are read before anything is stored, so the optimizer does not load
    /// them again after the stores (which it must assume could alias them).
    @inline(__always) func pushCallFrame(
        closure: Unmanaged<ClosureObj>, code: UnsafeMutablePointer<UInt8>, maxStack: Int,
        calleeSlot: UnsafeMutablePointer<Value>, returnTo ip: UnsafeMutablePointer<UInt8>,
        sp: UnsafeMutablePointer<Value>
    ) -> UnsafeMutablePointer<Value>? {
        let count = frameCount
        if count >= frameLimit { return nil }
        var stack = self.stack, frames = self.frames
        let baseIndex = calleeSlot.slotIndex(from: stack)
        // No overflow: the index is below Int32.max (`reserve`) and maxStack is bounded by the
        // size of the function's code.
        if _slowPath(count == frameCapacity || baseIndex &+ maxStack > capacity) {
            // Growing moves the frames and the stack together: `reserve` copies the first `sp` slots.
            self.sp = sp - stack
            reserve(frames: count + 1, slots: baseIndex + maxStack)
            (stack, frames) = (self.stack, self.frames)
        }
        // `appendFrame`'s work, on the fields read above rather than on `self` again.
        assert(count > 0 && count < frameCapacity && baseIndex + maxStack <= capacity, "a frame pushed without room")
        frames[count - 1].pc = ip
        (frames + count).initialize(to: CallFrame(closure: closure, pc: code, base: baseIndex))
        frameCount = count + 1
        return stack + baseIndex
    }

    /// Pops the innermost frame, closing its upvalues and dropping its handlers; returns the
    /// caller's frame, or nil when the popped frame was the last.
    @inline(__always) func popFrame() -> UnsafeMutablePointer<CallFrame>? {
        if let e = extras, e.holdsFrameState { unwindFrame(frameCount - 1, e) }
        return lowerFrameCount()
    }

    /// Whether popping a frame can have more to do than lowering the frame count: a `try`
    /// block or an open upvalue may belong to it (see `popFrame`). False for most fibers, which
    /// never allocate their extras; the dispatch loop's `return` tests it first, so that its
    /// common case is the plain `popPlainFrame`.
    @inline(__always) var mayHoldFrameState: Bool { extras != nil }

    /// `popFrame` for a fiber without extras (`mayHoldFrameState` false): only the count moves.
    /// Small enough for the optimizer to put in line in the dispatch loop, where the general
    /// `popFrame` stays a call.
    @inline(__always) func popPlainFrame() -> UnsafeMutablePointer<CallFrame>? {
        assert(extras == nil)
        return lowerFrameCount()
    }

    /// Drops the innermost frame from the count; returns the caller's frame, or nil when it was
    /// the last.
    @inline(__always) private func lowerFrameCount() -> UnsafeMutablePointer<CallFrame>? {
        let frameIndex = frameCount - 1
        frameCount = frameIndex
        return frameIndex == 0 ? nil : frames + (frameIndex - 1)
    }

    @inline(never) private func unwindFrame(_ frameIndex: Int, _ e: FiberExtras) {
        if !e.openUpvalues.isEmpty { closeUpvalues(from: frames[frameIndex].base) }
        while let h = e.handlers.last, h.frameCount > frameIndex { e.handlers.removeLast() }
    }

    /// The live frames, outermost first.
    var frameList: UnsafeMutableBufferPointer<CallFrame> { UnsafeMutableBufferPointer(start: frames, count: frameCount) }

    /// Installs a `try` handler (`tryBegin`, `tryFinally`).
    func installHandler(_ h: Handler) { extrasForWriting.handlers.append(h) }
    /// Removes the innermost handler at the end of its `try` block (`tryEnd`, which always
    /// follows the `tryBegin` or `tryFinally` that installed it).
    func removeHandler() { extras!.handlers.removeLast() }
    /// Removes and returns the innermost handler, if any (unwinding an error).
    func popHandler() -> Handler? { extras?.handlers.popLast() }
    /// Whether a `try` block of this fiber is open.
    var hasHandlers: Bool { !(extras?.handlers.isEmpty ?? true) }

    /// Frees the stack of a finished coroutine, keeping a minimal block; a done coroutine
    /// keeps its `result` in slot 0.
    func releaseStack(result: Value? = nil) {
        assert(extras?.openUpvalues.isEmpty ?? true, "releasing a stack that open upvalues point into")
        sp = 0
        frameCount = 0
        extras?.handlers = []
        if frameCapacity > 1 || capacity > 8 {
            UnsafeMutableRawPointer(frames).deallocate()
            let slots = min(capacity, 8)
            (frames, stack) = Fiber.allocateBlock(frames: 1, slots: slots)
            storedFrameCapacity = 1
            storedCapacity = Int32(truncatingIfNeeded: slots)
        }
        if let result {
            stack[0] = result
            sp = 1
        }
    }

    @inline(__always) func push(_ v: Value) {
        if sp >= capacity { ensureCapacity(sp + 1) }
        stack[sp] = v
        sp += 1
    }

    /// Closes every open upvalue at or above `slot`.
    func closeUpvalues(from slot: Int) {
        guard let e = extras else { return }
        while let last = e.openUpvalues.last, last.index >= slot {
            last.close()
            e.openUpvalues.removeLast()
        }
    }

    /// The upvalue for `slot`, reusing an open one so closures share the variable.
    func captureUpvalue(slot: Int) -> Upvalue {
        let e = extrasForWriting
        var i = e.openUpvalues.count - 1
        while i >= 0 {
            let u = e.openUpvalues[i]
            if u.index == slot { return u }
            if u.index < slot { break }
            i -= 1
        }
        let u = Upvalue(fiber: self, index: slot)
        e.openUpvalues.insert(u, at: i + 1)
        return u
    }

    override func trace(_ gc: Collector) {
        assert(sp <= capacity && frameCount <= frameCapacity, "fiber counts past its buffers")
        assert(
            (extras?.openUpvalues ?? []).allSatisfy { $0.isOpen && $0.index < sp && $0.slot == stack + $0.index },
            "an open upvalue points outside the live part of its fiber's stack")
        for i in 0..<sp { gc.mark(stack[i]) }  // a done coroutine's result included
        gc.mark(entry); gc.mark(delegate)
        if let p = primeSend { gc.mark(p) }
        if let r = resumer { gc.markObject(r) }
        if let t = task { gc.markObject(t) }
        for f in frameList { gc.markObject(f.closure.takeUnretainedValue()) }
    }
    override var estimatedSize: Int {
        var size = 136 + capacity * MemoryLayout<Value>.stride + frameCapacity * MemoryLayout<CallFrame>.stride
        if let e = extras { size += 120 + e.handlers.capacity * MemoryLayout<Handler>.stride + e.openUpvalues.capacity * 8 }
        return size
    }
}
