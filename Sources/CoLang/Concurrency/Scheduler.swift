// The loop: a FIFO ready queue, a timer heap of sleepers, and the list of live tasks.
import Collections
import HeapModule

/// Scheduler state; the VM drives it (see `VM.runLoop`).
final class Scheduler {
    var ready: Deque<TaskObj> = []
    var sleepers = HeapModule.Heap<SleeperKey>()
    private var sleepSeq = 0
    /// Every task that has not finished, in spawn order.
    var live: [TaskObj] = []
    /// A task failed and nobody joined it.
    var unjoinedFailure = false

    func addSleeper(_ t: TaskObj, until time: Double) {
        sleepSeq += 1
        t.wakeTime = time
        sleepers.insert(SleeperKey(time: time, seq: sleepSeq, task: t))
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
