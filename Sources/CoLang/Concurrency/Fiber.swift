// A coroutine: a VM object owning its value stack, call frames and handlers.

/// The status values of section 6.
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

/// One active function call. The closure stays alive through stack slot `base`.
struct CallFrame {
    var closure: Unmanaged<ClosureObj>
    var ip: Int
    var base: Int
}

/// An installed `try` handler.
struct Handler {
    var frameCount: Int
    var sp: Int
    var target: Int
}

/// A coroutine (the `coroutine` type) or the root coroutine of a task. Switching between
/// fibers is a pointer swap in the VM: each fiber keeps everything needed to continue.
final class Fiber: Obj {
    var stack: UnsafeMutablePointer<Value>
    var capacity: Int
    var sp = 0
    var frames: ContiguousArray<CallFrame> = []
    var handlers: ContiguousArray<Handler> = []
    /// Open upvalues, ascending by slot.
    var openUpvalues: ContiguousArray<Upvalue> = []
    var status: CoStatus = .created
    /// The fiber that resumed this one, while it runs.
    unowned(unsafe) var resumer: Fiber?
    /// When resumed by a `for` loop or `yield from`: where the resumer continues once this finishes.
    var resumeExit = -1
    var result: Value = .nil
    /// The function it runs.
    var entry: Value
    /// The coroutine this one is running with `yield from`, so `throw` can be forwarded.
    var delegate: Value = .nil
    /// Where this fiber's `yield from` loop exits once `delegate` finishes.
    var delegateExit = -1
    /// A value `send` delivers at the first `yield` after priming a created coroutine.
    var primeSend: Value?
    /// For a task's root fiber: its task.
    unowned(unsafe) var task: TaskObj?
    let id: Int
    let name: String

    init(id: Int, name: String, entry: Value, capacity: Int) {
        self.id = id
        self.name = name
        self.entry = entry
        self.capacity = max(capacity, 8)
        self.stack = .allocate(capacity: self.capacity)
    }

    deinit { stack.deallocate() }

    /// Grows the stack so `needed` slots fit; frames hold offsets, so nothing dangles.
    func ensureCapacity(_ needed: Int) {
        if needed <= capacity { return }
        var newCap = capacity * 2
        while newCap < needed { newCap *= 2 }
        let newStack = UnsafeMutablePointer<Value>.allocate(capacity: newCap)
        newStack.moveInitialize(from: stack, count: sp)
        stack.deallocate()
        stack = newStack
        capacity = newCap
    }

    /// Frees the stack of a finished coroutine, keeping a minimal one.
    func releaseStack() {
        sp = 0
        frames = []
        handlers = []
        if capacity > 8 {
            stack.deallocate()
            capacity = 8
            stack = .allocate(capacity: capacity)
        }
    }

    @inline(__always) func push(_ v: Value) {
        ensureCapacity(sp + 1)
        stack[sp] = v
        sp += 1
    }

    /// Closes every open upvalue at or above `slot`.
    func closeUpvalues(from slot: Int) {
        while let last = openUpvalues.last, last.index >= slot {
            last.close()
            openUpvalues.removeLast()
        }
    }

    /// The upvalue for `slot`, reusing an open one so closures share the variable.
    func captureUpvalue(slot: Int) -> Upvalue {
        var i = openUpvalues.count - 1
        while i >= 0 {
            let u = openUpvalues[i]
            if u.index == slot { return u }
            if u.index < slot { break }
            i -= 1
        }
        let u = Upvalue(fiber: self, index: slot)
        openUpvalues.insert(u, at: i + 1)
        return u
    }

    override func trace(_ gc: Collector) {
        for i in 0..<sp { gc.mark(stack[i]) }
        gc.mark(entry); gc.mark(result); gc.mark(delegate)
        if let r = resumer { gc.markObject(r) }
        if let t = task { gc.markObject(t) }
        for f in frames { gc.markProto(f.closure.takeUnretainedValue().proto) }
    }
    override var estimatedSize: Int { 160 + capacity * 16 + frames.capacity * 24 }
}
