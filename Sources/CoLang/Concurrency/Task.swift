// Tasks (coroutines the scheduler runs) and channels between them.
import Collections

/// The task status values (README, "The scheduler").
enum TaskStatus: UInt8 {
    case ready, running, sleeping, blocked, done, failed, cancelled
    var name: String {
        switch self {
        case .ready: return "ready"
        case .running: return "running"
        case .sleeping: return "sleeping"
        case .blocked: return "blocked"
        case .done: return "done"
        case .failed: return "failed"
        case .cancelled: return "cancelled"
        }
    }
    var isFinished: Bool { self == .done || self == .failed || self == .cancelled }
}

/// A task: a root fiber the scheduler resumes, plus bookkeeping for joins, traces and `:tasks`.
final class TaskObj: Obj {
    let id: Int
    var name: String
    let root: Fiber
    /// The innermost fiber of the task's resume chain: where it continues. Unretained (set at
    /// every switch); sound because `trace` marks it and the chain's `resumer` links keep every
    /// fiber between it and `root` marked.
    var activeRef: Unmanaged<Fiber>
    var active: Fiber {
        get { activeRef.takeUnretainedValue() }
        set { activeRef = Unmanaged.passUnretained(newValue) }
    }
    var status: TaskStatus = .ready
    var result: Value = .nil
    var error: Value = .nil
    var joiners: [TaskObj] = []
    var waitingOn: WaitTarget = .none
    /// An error to raise in the task when it next runs (a failed join, a send on a closed channel).
    var pendingThrow: Value?
    /// The sequence number of its entry in the timer heap while it sleeps; 0 otherwise.
    var sleepToken = 0
    /// The order in which it began its current socket wait (see `NetworkSource`).
    var waitSequence = 0
    /// Entries of `joiners` that no longer wait (cancelled joiners), see `Scheduler`.
    var staleJoiners = 0
    /// For a receive, an accept or a line read in a `for` loop: where to continue when the
    /// channel closes, the listener is closed, or the stream ends.
    var loopExit = -1
    /// True once a joiner has seen its failure (so it is not reported as unjoined).
    var failureObserved = false
    var switches = 0
    var timeRun: Double = 0
    /// Set by `cancel()` on a task that has run, while it unwinds: a blocking operation or a
    /// `yield` that would give up its turn raises the cancellation again.
    var cancelling = false

    init(id: Int, name: String, root: Fiber) {
        self.id = id; self.name = name; self.root = root; self.activeRef = Unmanaged.passUnretained(root)
    }

    /// Whether this task is blocked joining `t`. An entry in a wait queue whose task no longer
    /// answers yes (it was cancelled, or woken and moved on) is stale.
    func waitsToJoin(_ t: TaskObj) -> Bool {
        if status == .blocked, case .join(let target) = waitingOn, target === t { return true }
        return false
    }

    /// Whether this task is blocked receiving on `c`.
    func waitsToReceive(on c: ChannelObj) -> Bool {
        guard status == .blocked else { return false }
        if case .recv(let w) = waitingOn { return w === c }
        if case .select(let s) = waitingOn { return s.receives(on: c) }
        return false
    }

    /// The value this task is blocked sending on `c`, or nil when it does not wait there.
    func valueWaitingToSend(on c: ChannelObj) -> Value? {
        guard status == .blocked else { return nil }
        if case .send(let w, let v) = waitingOn { return w === c ? v : nil }
        if case .select(let s) = waitingOn { return s.value(sentOn: c) }
        return nil
    }

    /// A joiner left without being woken: compacts `joiners` once stale entries dominate.
    func forgetJoiner() {
        staleJoiners += 1
        if staleJoiners > Scheduler.compactionFloor && staleJoiners * 2 > joiners.count {
            joiners.removeAll { !$0.waitsToJoin(self) }
            staleJoiners = 0
        }
    }

    override var estimatedSize: Int { 480 + joiners.capacity * 8 }
    override func trace(_ gc: Collector) {
        gc.markObject(root); gc.markObject(active)
        gc.mark(result); gc.mark(error)
        if let p = pendingThrow { gc.mark(p) }
        for j in joiners { gc.markObject(j) }
        waitingOn.mark(gc)
    }
}

/// A channel: an optional buffer plus queues of waiting senders and receivers.
final class ChannelObj: Obj {
    let id: Int
    let capacity: Int
    var buffer: Deque<Value> = []
    var closed = false
    var receivers: Deque<TaskObj> = []
    /// Tasks blocked sending; each one's value is in its `waitingOn`.
    var senders: Deque<TaskObj> = []
    /// Entries of `receivers` and `senders` whose task no longer waits here (cancelled).
    var staleWaiters = 0
    init(id: Int, capacity: Int) { self.id = id; self.capacity = capacity }
    override func trace(_ gc: Collector) {
        for v in buffer { gc.mark(v) }
        for t in receivers { gc.markObject(t) }
        for s in senders { gc.markObject(s) }
    }
    override var estimatedSize: Int { 110 + (buffer.count + receivers.count) * 16 + senders.count * 24 }

    /// A waiter left without being served: compacts the queues once stale entries dominate.
    func forgetWaiter() {
        staleWaiters += 1
        if staleWaiters > Scheduler.compactionFloor && staleWaiters * 2 > receivers.count + senders.count {
            receivers = Deque(receivers.filter { $0.waitsToReceive(on: self) })
            senders = Deque(senders.filter { $0.valueWaitingToSend(on: self) != nil })
            staleWaiters = 0
        }
    }
}
