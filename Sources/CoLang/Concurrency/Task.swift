// Tasks (coroutines the scheduler runs) and channels between them.
import Collections

/// The task status values of section 7.
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

/// What a blocked task waits for.
enum WaitTarget {
    case none
    case join(TaskObj)
    case recv(ChannelObj)
    case send(ChannelObj)
}

/// A task: a root fiber the scheduler resumes, plus bookkeeping for joins, traces and `:tasks`.
final class TaskObj: Obj {
    let id: Int
    var name: String
    let root: Fiber
    /// The innermost fiber of the task's resume chain: where it continues.
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
    var wakeTime: Double = 0
    /// The value a channel hands to this task when it unblocks a send or receive.
    var pendingValue: Value = .nil
    /// An error to raise in the task when it next runs (a failed join, a send on a closed channel).
    var pendingThrow: Value = .nil
    /// For a receive in a `for` loop: where to continue when the channel closes.
    var recvExit = -1
    /// True once a joiner has seen its failure (so it is not reported as unjoined).
    var failureObserved = false
    var switches = 0
    var timeRun: Double = 0

    init(id: Int, name: String, root: Fiber) {
        self.id = id; self.name = name; self.root = root; self.activeRef = Unmanaged.passUnretained(root)
    }

    override func trace(_ gc: Collector) {
        gc.markObject(root); gc.markObject(active)
        gc.mark(result); gc.mark(error); gc.mark(pendingValue); gc.mark(pendingThrow)
        for j in joiners { gc.markObject(j) }
        switch waitingOn {
        case .none: break
        case .join(let t): gc.markObject(t)
        case .recv(let c), .send(let c): gc.markObject(c)
        }
    }
}

/// A channel: an optional buffer plus queues of waiting senders and receivers.
final class ChannelObj: Obj {
    let id: Int
    let capacity: Int
    var buffer: Deque<Value> = []
    var closed = false
    var receivers: Deque<TaskObj> = []
    var senders: Deque<(task: TaskObj, value: Value)> = []
    init(id: Int, capacity: Int) { self.id = id; self.capacity = capacity }
    override func trace(_ gc: Collector) {
        for v in buffer { gc.mark(v) }
        for t in receivers { gc.markObject(t) }
        for s in senders { gc.markObject(s.task); gc.mark(s.value) }
    }
    override var estimatedSize: Int { 96 + buffer.count * 16 }
}
