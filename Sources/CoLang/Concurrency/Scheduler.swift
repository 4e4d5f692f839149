// The loop's state and its operations: the ready queue, the live tasks, and every way a task waits.
import Collections
import Glibc
import HeapModule

/// What a blocked or sleeping task waits on (its `waitingOn`). `Scheduler.block` registers it
/// where the task will be woken from: the timer source, the joined task, the channel.
enum WaitTarget {
    case none
    /// `sleep`: the timer source wakes it at this clock time.
    case timer(until: Double)
    /// `t.join()`: `t` wakes it when it finishes.
    case join(TaskObj)
    /// `ch.recv()` or `for v in ch`: a sender or `close` wakes it.
    case recv(ChannelObj)
    /// `ch.send(v)` on a full channel: a receiver takes `v` and wakes it, or `close` fails it.
    case send(ChannelObj, Value)
    /// `accept`, `connect`, `read`, `read_line` or `write` that could not finish at once: the
    /// network source tries it again when the socket is ready.
    case socket(SocketObj, SocketOp)
    /// `select(op, ...)` with no operation ready: it waits in the queue of every channel it
    /// names, and the first operation another task (or a closing channel, or an `after` timer)
    /// completes wakes it; it then leaves the other queues (`Scheduler.leaveSelect`).
    case select(SelectWait)
}

extension WaitTarget {
    /// The words of a `block` event, for traces and timelines (a timer is a `sleep` event).
    var blockDetail: String? {
        switch self {
        case .none, .timer: return nil
        case .join(let t): return "join \(t.name)"
        case .recv(let c): return "recv on channel #\(c.id)"
        case .send(let c, _): return "send on channel #\(c.id)"
        case .socket(let s, let op): return op.words(s)
        case .select(let s): return "select on \(s.words)"
        }
    }

    /// The "waiting on" column of `:tasks`.
    var tableText: String {
        switch self {
        case .none: return "-"
        case .timer(let time): return "timer t=\(humanSeconds(time))"
        case .join(let t): return "join \(t.name)"
        case .recv(let c): return "recv channel #\(c.id)"
        case .send(let c, _): return "send channel #\(c.id)"
        case .socket(let s, let op): return op.words(s)
        case .select(let s): return "select \(s.words)"
        }
    }

    /// Why a task waiting on this is stuck, in the deadlock report (a join is explained with
    /// its wait-for chain, see `VM.waitDescription`).
    var deadlockText: String {
        switch self {
        case .none, .timer, .join: return "is blocked"
        case .recv(let c): return "waits to receive on channel #\(c.id): no live task can send on it"
        case .send(let c, _): return "waits to send on channel #\(c.id): no live task can receive from it"
        case .socket(let s, let op): return "is \(op.words(s))"
        case .select(let s): return "waits in select on \(s.words): no live task can complete any of them"
        }
    }

    /// Marks what the target keeps alive (for the waiting task's `trace`).
    func mark(_ gc: Collector) {
        switch self {
        case .none, .timer: break
        case .join(let t): gc.markObject(t)
        case .recv(let c): gc.markObject(c)
        case .send(let c, let v): gc.markObject(c); gc.mark(v)
        case .socket(let s, _): gc.markObject(s)
        case .select(let s): s.mark(gc)
        }
    }
}

/// Something outside the program that tasks wait on, which the loop asks when nothing is
/// ready: when it has something due and which file descriptors to watch. Timers are one;
/// the network is another (a pollfd per socket with waiting tasks); the REPL's stdin is one too,
/// for as long as the line editor waits (see `Scheduler.waitForEvents`).
protocol WaitSource: AnyObject {
    /// The earliest clock time at which the source has a task to wake, or nil.
    func nextDeadline() -> Double?
    /// Adds the descriptors to poll (none for timers).
    func addDescriptors(to fds: inout [pollfd])
    /// After the poll: wakes the tasks whose wait is over. `fds` are the entries this source
    /// added, with their `revents` filled in.
    func dispatch(_ fds: ArraySlice<pollfd>, now: Double, scheduler: Scheduler)
}

/// How `Scheduler.waitForEvents` ended.
enum WaitOutcome {
    /// Time passed or a descriptor became ready: look at the ready queue again.
    case woke
    /// No source has anything to wait for: every live task is blocked on another task (a
    /// deadlock) or nothing is left.
    case nothingToWaitFor
    /// Ctrl-C arrived while waiting.
    case interrupted
}

/// The scheduler: the ready queue, the live tasks, the tasks paused at the REPL, and the wait
/// sources. Tasks change state only through its methods, which also report each change on the
/// event stream.
///
/// A task that stops waiting early (cancelled) is not searched for in the queues: its entry goes
/// stale and is skipped when it comes up, and each queue is compacted once stale entries are the
/// majority, so a million spawn-sleep-cancel cycles run in flat memory.
final class Scheduler {
    private(set) var ready: Deque<TaskObj> = []
    /// Tasks that run before the ready queue (see `makeUrgent`).
    private(set) var urgent: Deque<TaskObj> = []
    /// Entries of `ready` whose task is no longer ready.
    private var staleReady = 0
    /// Every task that has not finished, in spawn order (finished ones are pruned now and then).
    private(set) var live: [TaskObj] = []
    /// Tasks stopped by Ctrl-C in the REPL, waiting for `:run` or `:step`.
    private(set) var paused: [TaskObj] = []
    /// A task failed and nobody joined it.
    var unjoinedFailure = false
    let timers = TimerSource()
    let network = NetworkSource()
    /// The wait sources asked by `waitForEvents`, timers first.
    private var sources: [WaitSource]
    let clock: Clock
    let events: EventStream
    /// Hands the program's buffered output to its destination (before a real wait).
    var flushOutput: () -> Void = {}

    /// Below this many stale entries a queue is never compacted (compaction is O(n)).
    static let compactionFloor = 64
    /// The longest single wait, in seconds: the loop waits again if needed (so `sleep(1e300)`
    /// cannot overflow a timeout).
    static let longestWait = 86_400.0

    init(clock: Clock, events: EventStream) {
        self.clock = clock
        self.events = events
        self.sources = [timers, network]
        timers.someTaskBlocked = { [unowned self] in self.live.contains { $0.status == .blocked } }
    }

    // MARK: - Tasks

    /// A new task: live and, with `ready`, at the back of the ready queue.
    func admit(_ t: TaskObj, ready: Bool = true) {
        live.append(t)
        if ready { makeReady(t) }
    }

    /// The main task with its next input (a script, a REPL line): live again, and ready.
    func readmit(_ t: TaskObj) {
        if !live.contains(where: { $0 === t }) { live.append(t) }
        makeReady(t)
    }

    /// `t`, which waits on nothing, can run: at the back of the ready queue (the front for an
    /// interrupted task).
    @inline(__always)
    func makeReady(_ t: TaskObj, atFront: Bool = false) {
        t.status = .ready
        if atFront { ready.insert(t, at: 0) } else { ready.append(t) }
    }

    /// `t` runs before any task of the ready queue, after the urgent ones before it: a task
    /// being cancelled unwinds at once, then its canceller goes on (`VM.cancel`). Not subject
    /// to `--schedule random`: the cancel is one step of the canceller.
    func makeUrgent(_ t: TaskObj) {
        t.status = .ready
        t.waitingOn = .none
        urgent.append(t)
    }

    /// The next task to run: the front of the ready queue, or with `random` a random pick.
    func nextReady(random: Bool, rng: inout SplitMix64) -> TaskObj? {
        while let t = urgent.popFirst() {
            if t.status == .ready { return t }
        }
        if random && ready.count > 1 {
            let i = Int(rng.next(below: UInt64(ready.count)))
            let t = ready.remove(at: i)
            if t.status == .ready { return t }
        }
        while let t = ready.popFirst() {
            if t.status == .ready { return t }
        }
        return nil
    }

    /// Takes `t` out of the ready queue to run it now; false if it is not there.
    func take(_ t: TaskObj) -> Bool {
        guard let i = ready.firstIndex(where: { $0 === t }) else { return false }
        ready.remove(at: i)
        return true
    }

    /// Whether a task can run now.
    var hasReady: Bool { urgent.contains { $0.status == .ready } || ready.contains { $0.status == .ready } }

    /// Whether some task can run now or later without another task's help.
    var hasPendingWork: Bool { hasReady || sources.contains { $0.nextDeadline() != nil } }

    /// `t` waits on `target` (see `WaitTarget`) until something wakes it; the current task, in
    /// the native or instruction that blocks it.
    func block(_ t: TaskObj, on target: WaitTarget) {
        t.waitingOn = target
        switch target {
        case .none:
            t.status = .blocked
        case .timer(let time):
            t.status = .sleeping
            timers.add(t, until: time)
        case .join(let other):
            t.status = .blocked
            other.joiners.append(t)
        case .recv(let c):
            t.status = .blocked
            c.receivers.append(t)
        case .send(let c, _):
            t.status = .blocked
            c.senders.append(t)
        case .socket(let s, _):
            t.status = .blocked
            network.add(t, to: s)
        case .select(let s):
            t.status = .blocked
            for op in s.ops {
                if op.sends { op.channel.senders.append(t) } else { op.channel.receivers.append(t) }
            }
        }
        if events.schedulerOn {
            if case .timer(let time) = target { events.emit(.init(t, .sleep(until: time))) } else { events.emit(.init(t, .block(target))) }
        }
    }

    /// Makes a waiting task ready, handing it `value` as the result of what it waited on.
    /// `network` says what the socket it waited on did (then there is no `waker`).
    func wake(_ t: TaskObj, with value: Value, by waker: TaskObj?, network: String? = nil) {
        t.active.push(value)
        t.waitingOn = .none
        makeReady(t)
        if events.schedulerOn { emitWake(t, by: waker, raising: false, network: network) }
    }

    /// Makes a waiting task ready to raise `e` where it waited (a failed join, a closed channel,
    /// a reset connection).
    func wake(_ t: TaskObj, raising e: Value, by waker: TaskObj?, network: String? = nil) {
        t.pendingThrow = e
        t.waitingOn = .none
        makeReady(t)
        if events.schedulerOn { emitWake(t, by: waker, raising: true, network: network) }
    }

    private func emitWake(_ t: TaskObj, by waker: TaskObj?, raising: Bool, network: String?) {
        if let network {
            events.emit(.init(t, .wakeByNetwork(network, raising: raising)))
        } else {
            events.emit(.init(t, .wake(by: waker, raising: raising)))
        }
    }

    /// The first task still waiting to receive on `c` (cancelled ones are skipped).
    func takeReceiver(_ c: ChannelObj) -> TaskObj? {
        while let t = c.receivers.popFirst() {
            if t.waitsToReceive(on: c) { return t }
        }
        return nil
    }

    /// The first task still waiting to send on `c`, with the value it sends.
    func takeSender(_ c: ChannelObj) -> (task: TaskObj, value: Value)? {
        while let t = c.senders.popFirst() {
            if let v = t.valueWaitingToSend(on: c) { return (t, v) }
        }
        return nil
    }

    /// Whether a task waits to receive on `c` (stale entries at the front are dropped).
    func hasReceiver(_ c: ChannelObj) -> Bool {
        while let t = c.receivers.first {
            if t.waitsToReceive(on: c) { return true }
            c.receivers.removeFirst()
        }
        return false
    }

    /// Whether a task waits to send on `c` (stale entries at the front are dropped).
    func hasSender(_ c: ChannelObj) -> Bool {
        while let t = c.senders.first {
            if t.valueWaitingToSend(on: c) != nil { return true }
            c.senders.removeFirst()
        }
        return false
    }

    /// Whether a task waits to join `t`.
    func isJoined(_ t: TaskObj) -> Bool {
        t.joiners.contains { $0.waitsToJoin(t) }
    }

    /// `t` finished: the tasks waiting to join it get its result.
    func wakeJoiners(of t: TaskObj, with result: Value) {
        for j in takeJoiners(of: t) { wake(j, with: result, by: t) }
    }

    /// `t` failed or was cancelled: the tasks waiting to join it raise `error()` (each its own).
    func wakeJoiners(of t: TaskObj, raising error: () -> Value) {
        for j in takeJoiners(of: t) { wake(j, raising: error(), by: t) }
    }

    /// Empties `t`'s joiners, returning those still waiting for it (a joiner cancelled since it
    /// blocked is not woken).
    private func takeJoiners(of t: TaskObj) -> [TaskObj] {
        let joiners = t.joiners
        t.joiners = []
        t.staleJoiners = 0
        return joiners.filter { $0.waitsToJoin(t) }
    }

    /// Takes `t` out of whatever it waits on (it is being cancelled). The entry it leaves
    /// behind is stale: skipped when reached, and compacted away.
    func leaveWait(_ t: TaskObj) {
        let status = t.status, wait = t.waitingOn
        t.status = .cancelled  // entries are stale from now on
        t.waitingOn = .none
        switch status {
        case .sleeping: timers.forget(t)
        case .ready:
            if let i = paused.firstIndex(where: { $0 === t }) { paused.remove(at: i) } else { forgetReady() }
        case .blocked:
            switch wait {
            case .none, .timer: break
            case .join(let target): target.forgetJoiner()
            case .recv(let c), .send(let c, _): c.forgetWaiter()
            case .socket(let s, _): network.remove(t, from: s)
            case .select(let s): for op in s.ops { op.channel.forgetWaiter() }
            }
        case .running, .done, .failed, .cancelled: break
        }
    }

    /// Takes `t` out of the ready queue, the paused tasks or what it waits on, leaving no
    /// entry behind that could run it again (it is about to be made urgent).
    func takeOut(_ t: TaskObj) {
        guard t.status == .ready else {
            leaveWait(t)
            return
        }
        if let i = paused.firstIndex(where: { $0 === t }) {
            paused.remove(at: i)
        } else {
            _ = take(t)
        }
        t.status = .cancelled
    }

    /// An entry of the ready queue went stale (its task was cancelled).
    private func forgetReady() {
        staleReady += 1
        if staleReady > Scheduler.compactionFloor && staleReady * 2 > ready.count {
            ready = Deque(ready.filter { $0.status == .ready })
            staleReady = 0
        }
    }

    /// Removes finished tasks from `live` (cheap, done now and then).
    func pruneLive() {
        live.removeAll { $0.status.isFinished }
    }

    // MARK: - The REPL's pauses

    /// A task stopped by Ctrl-C: kept, but not scheduled until `:run` or `:step`.
    func pause(_ t: TaskObj) {
        if let i = ready.firstIndex(where: { $0 === t }) { ready.remove(at: i) }
        t.status = .ready
        paused.append(t)
    }

    /// Puts paused tasks back in the ready queue.
    func unpauseAll() {
        for t in paused where t.status == .ready { ready.append(t) }
        paused.removeAll()
    }

    func isPaused(_ t: TaskObj) -> Bool { paused.contains { $0 === t } }

    // MARK: - Waiting

    /// While tasks keep the CPU busy, the loop looks at the network now and then without
    /// waiting (every `networkCheckInterval` turns), so that ready sockets are not starved.
    func checkNetwork() {
        guard network.isWatching else { return }
        var fds: [pollfd] = []
        network.addDescriptors(to: &fds)
        if poll(&fds, seconds: 0) > 0 { network.dispatch(fds[...], now: clock.now, scheduler: self) }
    }

    /// Turns between two looks at the network while tasks are ready (see `checkNetwork`).
    static let networkCheckInterval = 64

    /// Moves every task whose timer is due to the ready queue, in wake-up order.
    func wakeDueTimers() {
        timers.dispatch([], now: clock.now, scheduler: self)
    }

    /// The one place the loop waits when nothing is ready: asks every wait source (and
    /// `external`, the REPL's stdin while it waits for a key) when it next has something due,
    /// waits for all of them in one `poll(2)` (the virtual clock jumps to the deadline instead
    /// of sleeping when no descriptor is watched), and lets each wake its due tasks.
    /// `includeTimers: false` leaves the timers out of the wait (the REPL's `:auto off`);
    /// `maxWait` bounds it in seconds.
    @discardableResult
    func waitForEvents(external: WaitSource? = nil, includeTimers: Bool = true, maxWait: Double? = nil) -> WaitOutcome {
        var asked: [WaitSource] = includeTimers ? sources : sources.filter { $0 !== timers }
        if let external { asked.append(external) }
        var fds: [pollfd] = []
        var ranges: [Range<Int>] = []
        var deadline: Double? = nil
        for s in asked {
            let start = fds.count
            s.addDescriptors(to: &fds)
            ranges.append(start..<fds.count)
            if let d = s.nextDeadline() { deadline = min(deadline ?? d, d) }
        }
        let now = clock.now
        if let maxWait { deadline = min(deadline ?? now + maxWait, now + maxWait) }
        if deadline == nil && fds.isEmpty { return .nothingToWaitFor }
        // Show what was printed before a real wait (on the virtual clock, one for the network
        // with no sleeper to jump to).
        if clock.kind == .real || (deadline == nil && !fds.isEmpty) { flushOutput() }
        if !fds.isEmpty || clock.kind == .real {
            // Virtual time does not pass in the OS: with a deadline, descriptors are only
            // checked, and the clock jumps there below.
            let seconds =
                clock.kind == .virtual
                ? (deadline == nil ? nil : 0)
                : deadline.map { min(max($0 - now, 0), Scheduler.longestWait) }
            let n = poll(&fds, seconds: seconds)
            if n < 0 && Interpreter.interruptFlag.pointee != 0 { return .interrupted }
        }
        if clock.kind == .virtual, let deadline, !fds.contains(where: { $0.revents != 0 }) {
            clock.wait(until: deadline)
        }
        if Interpreter.interruptFlag.pointee != 0 { return .interrupted }
        let after = clock.now
        for (s, range) in zip(asked, ranges) { s.dispatch(fds[range], now: after, scheduler: self) }
        return .woke
    }

    /// `poll(2)` with a timeout in seconds (nil: none), rounded up to whole milliseconds so that
    /// a timed-out wait has always reached its deadline. (Glibc's `ppoll`, with nanoseconds, is
    /// not visible to Swift without `_GNU_SOURCE`.)
    private func poll(_ fds: inout [pollfd], seconds: Double?) -> Int32 {
        let ms: Int32 = seconds.map { Int32(min(($0 * 1000).rounded(.up), Double(Int32.max))) } ?? -1
        return fds.withUnsafeMutableBufferPointer { buf in Glibc.poll(buf.baseAddress, nfds_t(buf.count), ms) }
    }
}

/// The timer wait source: sleeping tasks in a heap by wake-up time; ties wake in the order
/// they went to sleep. `after(seconds)` channels wait here too, in a heap of their own, and
/// fire in the same order (by time, then by when they were made).
final class TimerSource: WaitSource {
    private var heap = HeapModule.Heap<SleeperKey>()
    private var sequence = 0
    /// `after` channels not yet fired.
    private var channelTimers = HeapModule.Heap<ChannelTimerKey>()
    /// Sends the time into an `after` channel and closes it (the VM's `fireAfter`).
    var fireChannel: (ChannelObj, Double) -> Void = { _, _ in }
    /// Whether some task is blocked (set by the scheduler). An `after` channel is worth waiting
    /// for only then: a program whose tasks have all finished ends without waiting for a
    /// timeout nobody is in a select for.
    var someTaskBlocked: () -> Bool = { true }

    /// An `after` channel that fires at `time`.
    func add(_ c: ChannelObj, firingAt time: Double) {
        sequence += 1
        channelTimers.insert(ChannelTimerKey(time: time, seq: sequence, channel: c))
    }

    /// The `after` channels not yet fired, for the collector (a timer keeps its channel).
    var pendingChannels: [ChannelObj] { channelTimers.unordered.map(\.channel) }
    /// Entries of `heap` whose task no longer sleeps on them.
    private var stale = 0

    func add(_ t: TaskObj, until time: Double) {
        sequence += 1
        t.sleepToken = sequence
        heap.insert(SleeperKey(time: time, seq: sequence, task: t))
    }

    /// Whether `key` is still the sleep of its task (not one it was cancelled out of).
    @inline(__always) private func isCurrent(_ key: SleeperKey) -> Bool {
        key.task.status == .sleeping && key.task.sleepToken == key.seq
    }

    /// `t` stops sleeping before its time (cancelled): its entry goes stale.
    func forget(_ t: TaskObj) {
        guard t.sleepToken != 0 else { return }
        t.sleepToken = 0
        stale += 1
        if stale > Scheduler.compactionFloor && stale * 2 > heap.count {
            heap = HeapModule.Heap(heap.unordered.filter { $0.task.sleepToken == $0.seq && $0.task.status == .sleeping })
            stale = 0
        }
    }

    /// Drops stale entries from the top of the heap.
    private func dropStale() {
        while let top = heap.min, !isCurrent(top) {
            _ = heap.removeMin()
            if stale > 0 { stale -= 1 }
        }
    }

    func nextDeadline() -> Double? {
        dropStale()
        guard let c = channelTimers.min?.time, someTaskBlocked() else { return heap.min?.time }
        return min(heap.min?.time ?? c, c)
    }

    func addDescriptors(to fds: inout [pollfd]) {}

    func dispatch(_ fds: ArraySlice<pollfd>, now: Double, scheduler: Scheduler) {
        while true {
            dropStale()
            if let timer = channelTimers.min, timer.time <= now,
                heap.min.map({ timer.time < $0.time || (timer.time == $0.time && timer.seq < $0.seq) }) ?? true
            {
                _ = channelTimers.removeMin()
                fireChannel(timer.channel, now)
                continue
            }
            guard let top = heap.min, top.time <= now else { return }
            _ = heap.removeMin()
            let t = top.task
            t.sleepToken = 0
            t.active.push(.nil)  // the value of `sleep`
            t.waitingOn = .none
            scheduler.makeReady(t)
            if scheduler.events.schedulerOn { scheduler.events.emit(.init(t, .wakeByTimer)) }
        }
    }

    /// The tasks that sleep, for the collector and the REPL's views.
    var sleepingTasks: [TaskObj] { heap.unordered.compactMap { isCurrent($0) ? $0.task : nil } }
}

/// A sleeping task and when it wakes.
struct SleeperKey: Comparable {
    var time: Double
    var seq: Int
    let task: TaskObj
    static func < (a: SleeperKey, b: SleeperKey) -> Bool { a.time < b.time || (a.time == b.time && a.seq < b.seq) }
    static func == (a: SleeperKey, b: SleeperKey) -> Bool { a.time == b.time && a.seq == b.seq }
}

/// An `after` channel and when it fires.
struct ChannelTimerKey: Comparable {
    var time: Double
    var seq: Int
    let channel: ChannelObj
    static func < (a: ChannelTimerKey, b: ChannelTimerKey) -> Bool { a.time < b.time || (a.time == b.time && a.seq < b.seq) }
    static func == (a: ChannelTimerKey, b: ChannelTimerKey) -> Bool { a.time == b.time && a.seq == b.seq }
}

/// Descriptors watched for one wait only, with no tasks behind them: the REPL's stdin and its
/// Ctrl-C pipe while the line editor waits for a key. `revents` holds the result.
final class DescriptorWatch: WaitSource {
    private(set) var watched: [Int32]
    private(set) var revents: [Int16]
    init(_ descriptors: [Int32]) {
        watched = descriptors
        revents = Array(repeating: 0, count: descriptors.count)
    }
    func nextDeadline() -> Double? { nil }
    func addDescriptors(to fds: inout [pollfd]) {
        for d in watched { fds.append(pollfd(fd: d, events: Int16(POLLIN), revents: 0)) }
    }
    func dispatch(_ fds: ArraySlice<pollfd>, now: Double, scheduler: Scheduler) {
        for (i, fd) in fds.enumerated() { revents[i] = fd.revents }
    }
}
