// The virtual machine's state: heap, globals, the running fiber and task, and output.
import CoLangSyntax
import FoundationEssentials
import Glibc

/// A CoLang value in flight as a Swift error: thrown by `throw` and by runtime errors.
struct VMError: Error {
    let value: Value
}

/// The interpreter core. One VM per `Interpreter`.
final class VM {
    let options: RunOptions
    let out: (String) -> Void
    let err: (String) -> Void
    let input: () -> String?

    let heap = Heap()
    let globals = GlobalTable()
    /// Global values by slot; `.undefined` until defined.
    /// Global values by slot, in a raw buffer the dispatch loop indexes directly.
    /// Sound: only indexed by slots the `GlobalTable` handed out, below `globalCount`, which
    /// `ensureGlobalCapacity` keeps initialised; freed in `deinit`.
    var globalSlots = UnsafeMutablePointer<Value>.allocate(capacity: VM.initialGlobalCapacity)
    var globalCapacity = VM.initialGlobalCapacity
    /// Global slots allocated up front; the table grows by doubling past it.
    static let initialGlobalCapacity = 256
    var globalCount = 0
    var globalValues: UnsafeMutableBufferPointer<Value> { UnsafeMutableBufferPointer(start: globalSlots, count: globalCount) }
    /// Built-in methods, by receiver tag and interned method id.
    let methods = MethodTable()
    /// Method ids of the coroutine calls that get a fast path.
    lazy var resumeIDs = (
        resume: methods.ids.slot(for: "resume"), next: methods.ids.slot(for: "next"),
        send: methods.ids.slot(for: "send")
    )

    /// The fiber whose code is running. Unretained (a switch touches no reference counts):
    /// sound because the running fiber is always on the current task's resume chain, and the
    /// task (a GC root while it runs) reaches every fiber of its chain.
    var currentRef: Unmanaged<Fiber>?
    var current: Fiber! {
        get { currentRef?.takeUnretainedValue() }
        set { currentRef = newValue.map { Unmanaged.passUnretained($0) } }
    }
    /// The task whose turn it is; unretained, sound because the collector marks it as a root.
    var currentTaskRef: Unmanaged<TaskObj>?
    var currentTask: TaskObj! {
        get { currentTaskRef?.takeUnretainedValue() }
        set { currentTaskRef = newValue.map { Unmanaged.passUnretained($0) } }
    }

    /// Makes `f` the running fiber of the current task (a pointer swap).
    @inline(__always) func switchTo(_ f: Unmanaged<Fiber>) {
        currentRef = f
        currentTaskRef.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.activeRef = f }
        assert(resumeChainIsConsistent(), "the resume chain disagrees with the fibers' statuses")
    }

    /// Debug check: from the running fiber, `resumer` links lead to the current task's root,
    /// every coroutine on the way is `active`, and the task's `active` is the running fiber.
    func resumeChainIsConsistent() -> Bool {
        guard let task = currentTask, var f = current else { return true }
        if task.active !== f { return false }
        var hops = 0
        while !f.isTaskRoot {
            if f.state != .active { return false }
            guard let next = f.resumer else { return false }
            f = next
            hops += 1
            if hops == 64 { return true }  // deeper links were checked when they were made
        }
        return f === task.root
    }
    var mainTask: TaskObj!
    let scheduler: Scheduler
    /// Every scheduler and coroutine event goes through here (see `EventStream`).
    let events: EventStream

    var trampolines: [Int: Value] = [:]
    var preludeFunctions: [String: Value] = [:]
    var echoValue: Value?
    /// Values that must survive collections (prelude functions, the REPL echo).
    var extraRoots: [Value] = []
    /// Set by the collector when live data passes `memoryLimit`.
    var memoryExceeded = false
    /// The most live CoLang data a run may hold, in bytes: `--max-memory`, or without it a share
    /// of the memory the machine (or the process's own limit) offers. Passing it is a runtime
    /// error the program can catch, like Python's MemoryError, instead of an abort.
    let memoryLimit: Int
    var nextCoroutineId = 1
    var nextTaskId = 1
    var nextChannelId = 1
    var rng: SplitMix64
    let clock: Clock
    /// Where the most recent non-error value was thrown, for reporting it uncaught.
    var lastThrowSite: (source: SourceText?, loc: SourceLoc, trace: [TraceEntry], task: String)?
    /// Set by `RETHROW` at the end of a `finally` block: the value in flight keeps the trace and
    /// site of its first throw.
    var rethrowing = false
    /// Set by `cancel()` when the canceller gives its turn to the task it cancelled: it runs
    /// again right after that task's unwinding (`Scheduler.makeUrgent`).
    var cancelledForUnwinding: TaskObj?
    /// Program output not yet handed to `out`.
    var outBuffer = ""
    /// Where socket reads land before they join a socket's buffer.
    var scratch = [UInt8](repeating: 0, count: SocketObj.chunk)

    /// Instructions executed, for `--max-steps`.
    var steps = 0
    /// Instructions until the next checkpoint (interrupts, limits, tracing).
    var budget = 0
    var lastBudget = 0
    var stepsAtLastMeasure = 0
    /// `steps` at the end of the last collection (see `limitWantsCollection`).
    var stepsAtLastCollection = 0
    /// Under `--preempt`: the step count at which the running task's time slice ends.
    var sliceEnd = Int.max
    /// The last `.yielded` stop was a time slice running out, not the program's `yield`.
    var preempted = false
    /// REPL, `:auto off`: the input's main task runs whenever it is ready; background tasks
    /// get a turn only while it waits (otherwise it could never finish).
    var holdBackground = false
    /// REPL: a background task's turn ends after this many nanoseconds even if it has not
    /// yielded, so that the prompt stays usable (`nil`: never, as in a script).
    var promptTurnNanos: UInt64? = nil
    /// When the running task's turn ends (`promptTurnNanos`); `.max` when it never does.
    var turnDeadline = UInt64.max
    /// The last `.yielded` stop was the prompt taking its turn (see `promptTurnNanos`).
    var turnCut = false
    /// The task whose turn was last cut for the prompt, until it yields, blocks or ends.
    weak var hoggingTask: TaskObj?
    /// Elements visited by long builtins (printing or comparing a huge structure), see `chargeWork`.
    var workDone = 0
    /// Bytes processed by string builtins not yet charged as work, see `chargeText`.
    var textWork = 0
    /// `--record` / `:record`: the run's steps for an HTML replay (Tools/Recorder.swift).
    var recorder: Recorder? {
        didSet { budget = 0 }  // the next instruction reaches a checkpoint, which sees it
    }
    /// `--trace`: every instruction, with the stack, at a checkpoint of its own.
    var tracing: Bool { didSet { events.traceCoroutines = tracing } }
    /// The built-in `range`, which a range loop's `CALL` recognises by identity. Held here as
    /// well, so that no other object can take its address once a program rebinds the global
    /// `range`. (Last: a stored property among those the dispatch loop reads, moving their
    /// offsets, cost that loop a register at its head, issue 17.)
    var rangeNative = Value.nil
    var rangeNativeObject: NativeObj?

    init(options: RunOptions, out: @escaping (String) -> Void, err: @escaping (String) -> Void, input: @escaping () -> String?) {
        self.options = options
        self.out = out
        self.err = err
        self.input = input
        self.rng = SplitMix64(seed: options.seed ?? UInt64(truncatingIfNeeded: Clock.monotonicNanos()))
        self.clock = Clock(kind: options.clock)
        self.events = EventStream(clock: clock)
        self.scheduler = Scheduler(clock: clock, events: events)
        self.memoryLimit =
            options.maxMemoryMB.map { megabytes in
                let (bytes, overflow) = megabytes.multipliedReportingOverflow(by: 1_048_576)
                return overflow ? .max : bytes
            } ?? VM.defaultMemoryLimit()
        self.tracing = options.trace
        events.traceCoroutines = options.trace
        events.traceScheduler = options.traceScheduler
        events.traceCoroutineEvents = options.traceCoroutines
        heap.limitSpares(memoryLimit: memoryLimit)
        heap.stress = options.gcStress || ProcessInfo.processInfo.environment["COLANG_GC_STRESS"] == "1"
        events.write = { [unowned self] in self.writeTrace($0) }
        events.site = { [unowned self] in
            self.currentSite(exactInnermost: false).map { "\($0.0.name):\($0.1.line)" }
        }
        scheduler.flushOutput = { [unowned self] in self.flushOutput() }
        scheduler.timers.fireChannel = { [unowned self] c, time in self.fireAfter(c, at: time) }
        installBuiltins()
        installPrelude()
        resetMainTask()
    }

    /// Half the physical memory, or a quarter of the process's address-space or data limit when
    /// one is set (virtual memory holds more than data), at least 64 MB: room for the copies a
    /// big value goes through while it is built.
    static func defaultMemoryLimit() -> Int {
        let physical = Int(sysconf(Int32(_SC_PHYS_PAGES))).multipliedReportingOverflow(by: Int(sysconf(Int32(_SC_PAGESIZE))))
        var bytes = physical.overflow || physical.partialValue <= 0 ? Int.max : physical.partialValue / 2
        for resource in [RLIMIT_AS, RLIMIT_DATA] {
            var limit = rlimit()
            if getrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {  // RLIM_INFINITY
                bytes = min(bytes, Int(clamping: limit.rlim_cur / 4))
            }
        }
        return max(bytes, 64 << 20)
    }

    /// Called by builtins for each element of a structure they walk, so that one instruction
    /// cannot run for minutes: every 65,536 elements count as that many steps toward
    /// `--max-steps`, and Ctrl-C stops the walk (the dispatch loop then stops the program).
    @inline(__always) func chargeWork() throws(VMError) {
        workDone &+= 1
        if workDone & 0xFFFF == 0 { try checkWork() }
    }

    /// `units` elements' worth of work at once: the same as that many `chargeWork()` calls.
    @inline(__always) func chargeWork(_ units: Int) throws(VMError) {
        let before = workDone
        workDone &+= units
        let crossed = (workDone >> 16) &- (before >> 16)
        if crossed > 0 { try checkWork(crossed) }
    }

    /// String builtins (search, split, replace, case mapping, join, slicing) charge the bytes
    /// they read and write, one unit of `chargeWork` per `textBytesPerStep` UTF-8 bytes, in pieces
    /// as they go, so that a builtin on a huge string counts toward `--max-steps` and stops on Ctrl-C.
    @inline(__always) func chargeText(_ bytes: Int) throws(VMError) {
        textWork &+= bytes
        if textWork >= VM.textBytesPerStep {
            let units = textWork / VM.textBytesPerStep
            textWork -= units * VM.textBytesPerStep
            try chargeWork(units)
        }
    }
    static let textBytesPerStep = 64
    /// String builtins process at most this many bytes between two `chargeText` calls.
    static let textChunk = 1 << 16

    private func checkWork(_ crossed: Int = 1) throws(VMError) {
        steps &+= crossed &* 0x10000
        if Interpreter.interruptFlag.pointee != 0 { throw fail("interrupted") }
        if let limit = options.maxSteps, steps > limit {
            // Caught, it is raised again at the next checkpoint.
            throw fail(stepLimitMessage(limit))
        }
    }

    /// The error for passing `--max-steps`.
    func stepLimitMessage(_ limit: Int) -> String { "step limit exceeded (--max-steps \(limit))" }

    /// The error for passing `memoryLimit`.
    var memoryLimitMessage: String {
        if let mb = options.maxMemoryMB { return "memory limit exceeded (--max-memory \(mb) MB)" }
        return "out of memory: the program's data would pass \(memoryLimit / 1_048_576) MB"
    }

    deinit {
        globalSlots.deallocate()
        heap.breakCycles()
    }

    // MARK: - Output

    func write(_ s: String) {
        recorder?.wrote(s, isError: false)
        outBuffer += s
        if outBuffer.utf8.count >= 8192 { flushOutput() }
    }

    func flushOutput() {
        if !outBuffer.isEmpty {
            out(outBuffer)
            outBuffer = ""
        }
    }

    func writeError(_ s: String) {
        recorder?.wrote(s, isError: true)
        writeTrace(s)
    }

    /// A trace line on stderr: not the program's output, so a recording leaves it out.
    func writeTrace(_ s: String) {
        flushOutput()
        err(s)
    }

    // MARK: - Errors

    /// A runtime error with `message`, to be thrown; its traceback is filled in when it unwinds.
    func fail(_ message: String) -> VMError {
        let e = heap.track(ErrorObj(message: message))
        return VMError(value: Value(object: e, tag: .error))
    }

    // MARK: - Allocation

    func newString(_ s: String) -> Value {
        heap.stringValue(s)
    }
    /// A new list of `items` (copied).
    func newList(_ items: __owned ContiguousArray<Value>) -> Value {
        heap.adopt(ListObj(items), tag: .list)
    }
    /// A new list of the values `items` (copied). Not inlined: inlined into the dispatch loop, the
    /// list's allocation and copy made LLVM keep the loop's instruction and stack pointers in
    /// memory instead of registers, and `fib`, which makes no lists, ran 20% slower.
    @inline(never) func newList(copying items: UnsafeBufferPointer<Value>) -> Value {
        if items.count <= ListObj.inlineCapacity, let list = heap.takeSpareList() {
            list.refill(copying: items)
            return heap.adopt(list, tag: .list)
        }
        return heap.adopt(ListObj(copying: items), tag: .list)
    }

    /// The hash of `v` as a map key (`MapHash`), or an error for values that cannot be keys.
    func mapHash(_ v: Value) throws(VMError) -> UInt64 {
        switch v.tag {
        case .int: return MapHash.int(v.asInt)
        case .float: return MapHash.float(v.asFloat)
        case .string: return v.unretained(StrObj.self) { $0.hashCode }  // alive: the caller holds it
        case .bool: return MapHash.bool(v.asBool)
        default: throw fail("map key must be int, float, string or bool, not \(v.typeName)")
        }
    }

    // MARK: - Globals

    func ensureGlobalCapacity() {
        let needed = globals.names.count
        if needed > globalCapacity {
            (globalSlots, globalCapacity) = globalSlots.grown(count: globalCount, capacity: globalCapacity, toFit: needed)
        }
        while globalCount < needed {
            (globalSlots + globalCount).initialize(to: .undefined)
            globalCount += 1
        }
    }

    func defineGlobal(_ name: String, _ v: Value) {
        let slot = globals.slot(for: name)
        ensureGlobalCapacity()
        globalValues[slot] = v
    }

    func definedGlobalNames() -> [String] {
        ensureGlobalCapacity()
        return globals.names.enumerated().compactMap { i, n in
            globalValues[i].tag == .undefined || n.hasPrefix("__") ? nil : n
        }
    }
}

/// A small, fast, seedable random number generator (so `--seed` reproduces runs).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A double in [0, 1).
    mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
    /// An integer in [0, n) without modulo bias.
    mutating func next(below n: UInt64) -> UInt64 {
        if n == 0 { return 0 }
        let limit = UInt64.max - UInt64.max % n
        while true {
            let r = next()
            if r < limit { return r % n }
        }
    }
}
