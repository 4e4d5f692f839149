// The loop's queues: a FIFO ready queue, a timer heap of sleepers, and the list of live tasks.
import Collections
import HeapModule

/// Scheduler state; the VM drives it (see `VM.runLoop`).
///
/// A task that stops waiting early (cancelled) is not searched for in the queues: its entry goes
/// stale and is skipped when it comes up, and each queue is compacted once stale entries are the
/// majority, so a million spawn-sleep-cancel cycles run in flat memory.
final class Scheduler {
    var ready: Deque<TaskObj> = []
    private(set) var sleepers = HeapModule.Heap<SleeperKey>()
    private var sleepSeq = 0
    /// Entries of `sleepers` whose task no longer sleeps on them.
    private var staleSleepers = 0
    /// Entries of `ready` whose task is no longer ready.
    private var staleReady = 0
    /// Every task that has not finished, in spawn order.
    var live: [TaskObj] = []
    /// A task failed and nobody joined it.
    var unjoinedFailure = false

    /// Below this many stale entries a queue is never compacted (compaction is O(n)).
    static let compactionFloor = 64

    func addSleeper(_ t: TaskObj, until time: Double) {
        sleepSeq += 1
        t.wakeTime = time
        t.sleepToken = sleepSeq
        sleepers.insert(SleeperKey(time: time, seq: sleepSeq, task: t))
    }

    /// Whether `key` is still the sleep of its task (not one it was cancelled out of).
    @inline(__always) private func isCurrent(_ key: SleeperKey) -> Bool {
        key.task.status == .sleeping && key.task.sleepToken == key.seq
    }

    /// `t` stops sleeping before its time (cancelled): its timer entry goes stale.
    func forgetSleeper(_ t: TaskObj) {
        guard t.sleepToken != 0 else { return }
        t.sleepToken = 0
        staleSleepers += 1
        if staleSleepers > Scheduler.compactionFloor && staleSleepers * 2 > sleepers.count {
            sleepers = HeapModule.Heap(sleepers.unordered.filter { $0.task.sleepToken == $0.seq && $0.task.status == .sleeping })
            staleSleepers = 0
        }
    }

    /// Drops stale entries from the top of the timer heap.
    private func dropStaleSleepers() {
        while let top = sleepers.min, !isCurrent(top) {
            _ = sleepers.removeMin()
            if staleSleepers > 0 { staleSleepers -= 1 }
        }
    }

    /// When the earliest sleeper wakes, or nil when no task sleeps.
    func nextWakeTime() -> Double? {
        dropStaleSleepers()
        return sleepers.min?.time
    }

    /// Whether any task sleeps.
    var hasSleepers: Bool { nextWakeTime() != nil }

    /// Removes and returns the earliest sleeper if it is due at `now`.
    func popDueSleeper(now: Double) -> TaskObj? {
        dropStaleSleepers()
        guard let top = sleepers.min, top.time <= now else { return nil }
        _ = sleepers.removeMin()
        top.task.sleepToken = 0
        return top.task
    }

    /// The tasks that sleep, for the collector and the REPL's views.
    var sleepingTasks: [TaskObj] { sleepers.unordered.compactMap { isCurrent($0) ? $0.task : nil } }

    /// `t`, which is in the ready queue, will not run (cancelled): its entry goes stale.
    func forgetReady() {
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
}

/// A sleeping task and when it wakes; ties wake in the order they went to sleep.
struct SleeperKey: Comparable {
    var time: Double
    var seq: Int
    let task: TaskObj
    static func < (a: SleeperKey, b: SleeperKey) -> Bool { a.time < b.time || (a.time == b.time && a.seq < b.seq) }
    static func == (a: SleeperKey, b: SleeperKey) -> Bool { a.time == b.time && a.seq == b.seq }
}
