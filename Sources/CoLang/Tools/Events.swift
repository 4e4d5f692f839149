// The event stream: every scheduler and coroutine event of a run, emitted once as a structured
// value, and the consumers that turn it into `--trace-sched` lines, `--trace` lines and the
// recorded events that timelines and `:timeline` draw.

/// One thing that happened in a run. `task` is the task it happened to (for coroutine events,
/// the task whose resume chain the coroutine is on).
struct RunEvent {
    enum Kind {
        // Scheduler events.
        /// A new task; `by` is the task that spawned it (nil: the program's main task).
        case spawn(by: TaskObj?)
        /// The task gets the CPU, from the front of the ready queue or by a random pick.
        case run(randomPick: Bool)
        /// The task gives its turn back while still ready.
        case yield(YieldCause)
        /// The task sleeps until this clock time.
        case sleep(until: Double)
        /// The task waits on what it names (a join, a channel).
        case block(WaitTarget)
        /// A timer woke the task.
        case wakeByTimer
        /// The socket the task waited on was ready (what it did, in words) and its operation
        /// finished or failed.
        case wakeByNetwork(String, raising: Bool)
        /// Another task (or nobody) woke the task, handing it a value or an error to raise.
        case wake(by: TaskObj?, raising: Bool)
        /// Like `wake`, saying what completed the wait in words (which operation of a select,
        /// an `after` timer).
        case wakeFor(String, by: TaskObj?, raising: Bool)
        case finish
        /// A cancelled task's unwinding is over: its `finally` blocks ran.
        case unwound
        case fail(message: String)
        /// `by` cancelled the task (nil: the REPL abandoned the input it was running).
        case cancel(by: TaskObj?)
        // Coroutine events: `co` is the coroutine, `to` the fiber that gets control.
        case create(co: Fiber)
        case resume(co: Fiber)
        case coroutineYield(co: Fiber, to: Fiber)
        case coroutineReturn(co: Fiber, to: Fiber)
        case coroutineFail(co: Fiber, to: Fiber)
        /// `co.throw(e)` while `co` delegates with `yield from`: raised in `inner`.
        case throwInto(inner: Fiber, via: Fiber)
        case close(co: Fiber)
    }

    enum YieldCause {
        /// `yield` outside a coroutine or `sleep(0)`.
        case program
        /// `--preempt`: the time slice of this many instructions is used up.
        case preempted(slice: Int)
        /// Ctrl-C stopped it (it stays first in the ready queue).
        case interrupted
        /// It cancelled this task, which unwinds before it goes on.
        case unwinding(TaskObj)
        /// The REPL's prompt took its turn: the task had run too long without yielding.
        case prompt
    }

    let task: TaskObj
    let kind: Kind
    init(_ task: TaskObj, _ kind: Kind) { self.task = task; self.kind = kind }
}

/// One recorded scheduler event, as `--trace-sched` prints it and timelines draw it.
public struct SchedulerEvent: Sendable {
    public enum Kind: String, Sendable {
        case spawn, resume, yield, sleep, wake, block, finish, fail, cancel
    }
    /// Program clock time (seconds).
    public var time: Double
    public var taskId: Int
    public var taskName: String
    public var kind: Kind
    /// Why, in words: what a task blocks on, who woke it, why it was picked.
    public var detail: String?
    /// The other task involved: who spawned, woke or cancelled it, or the task it joins.
    public var otherTaskId: Int? = nil
    /// The channel it blocks on.
    public var channelId: Int? = nil
    /// It blocks on a socket (timelines draw that wait apart from sleeping and blocking).
    public var network = false
    /// Where the running code was (`file:line`), when it was in CoLang code.
    public var site: String? = nil
}

/// One recorded coroutine event, as `--trace-coroutines` prints it and the timelines' coroutine
/// rows draw it.
public struct CoroutineEvent: Sendable {
    public enum Kind: String, Sendable {
        /// `coroutine(f)` made it (it has not started).
        case create
        /// It got control from `otherId` (a coroutine's id), or from its task's own code (`nil`).
        case resume
        /// It yielded a value back to its resumer.
        case yield
        /// It returned: it is done.
        case `return`
        /// An error left it: it failed.
        case fail
        /// `co.close()` ended it, or began unwinding it.
        case close
        /// `co.throw(e)` through a `yield from` delegation: the error is raised in this coroutine,
        /// resumed by the delegating coroutine `otherId`.
        case `throw`
    }
    /// Program clock time (seconds).
    public var time: Double
    /// How many scheduler events were recorded before it: where it falls among them.
    public var order: Int
    public var coroutineId: Int
    /// The name of the coroutine's function.
    public var coroutineName: String
    public var kind: Kind
    /// The coroutine on the other side of the switch: the one that resumed it, gets control
    /// from it, or delegates to it; `nil` when that side is a task's own code.
    public var otherId: Int? = nil
    /// The task whose resume chain it is on (the running task).
    public var taskId: Int
    /// The task's name.
    public var taskName: String
}

/// Where events go. `emit` is the only way in; each consumer is switched on separately, and
/// emitters test `schedulerOn` or `coroutinesOn` first so that an unobserved run builds no events.
final class EventStream {
    /// `--trace-sched` / `:trace on`: scheduler events as lines on stderr.
    var traceScheduler = false { didSet { update() } }
    /// `--trace`: coroutine switches as `[trace]` lines on stderr.
    var traceCoroutines = false { didSet { update() } }
    /// `--trace-coroutines`: coroutine events as `[time]` lines on stderr, like `--trace-sched`'s.
    var traceCoroutineEvents = false { didSet { update() } }
    /// Scheduler events are kept in `recorded`, coroutine events in `recordedCoroutines`
    /// (for timelines).
    var recording = false { didSet { update() } }
    /// Tools that watch the stream for a while (`:step`); see `listen`.
    private var listeners: [(id: Int, receive: (RunEvent) -> Void)] = []
    private var nextListener = 1
    private(set) var schedulerOn = false
    private(set) var coroutinesOn = false
    var recorded: [SchedulerEvent] = []
    var recordedCoroutines: [CoroutineEvent] = []
    /// Where a timeline of the recorded events starts: 0, or the time they were last cleared.
    var recordingOrigin: Double = 0
    /// At most this many events are recorded (about 200 MB).
    static let maxRecorded = 2_000_000
    /// At most this many coroutine events are recorded (about 16 MB): a generator loop makes
    /// two per value, and the REPL records from its start, so past this a loop runs at full
    /// speed again and the timeline says the rest is missing.
    static let maxRecordedCoroutines = 200_000
    /// Coroutine events not recorded because of `maxRecordedCoroutines`.
    var droppedCoroutines = 0

    let clock: Clock
    /// Writes a trace line to stderr (after the program's buffered output).
    var write: (String) -> Void = { _ in }
    /// Where the current task is, for recorded events.
    var site: () -> String? = { nil }

    init(clock: Clock) { self.clock = clock }

    private func update() {
        schedulerOn = traceScheduler || recording || !listeners.isEmpty
        coroutinesOn = traceCoroutines || traceCoroutineEvents || recording || !listeners.isEmpty
    }

    /// Calls `receive` with every event until `stopListening` is called with the returned id.
    func listen(_ receive: @escaping (RunEvent) -> Void) -> Int {
        let id = nextListener
        nextListener += 1
        listeners.append((id, receive))
        update()
        return id
    }

    func stopListening(_ id: Int) {
        listeners.removeAll { $0.id == id }
        update()
    }

    func emit(_ e: RunEvent) {
        // Listeners hear of an event once it is recorded (a recording counts the events so far).
        defer { for l in listeners { l.receive(e) } }
        guard let (kind, detail) = EventStream.describe(e.kind) else {
            if traceCoroutines, let line = EventStream.traceText(e.kind) { write("[trace] \(line)\n") }
            if recording || traceCoroutineEvents { emitCoroutine(e) }
            return
        }
        guard traceScheduler || recording else { return }
        let now = clock.now
        if recording && recorded.count < EventStream.maxRecorded {
            var r = SchedulerEvent(time: now, taskId: e.task.id, taskName: e.task.name, kind: kind, detail: detail)
            switch e.kind {
            case .spawn(let by?), .wake(let by?, _), .wakeFor(_, let by?, _), .cancel(let by?): r.otherTaskId = by.id
            case .block(.join(let other)): r.otherTaskId = other.id
            case .block(.recv(let c)), .block(.send(let c, _)): r.channelId = c.id
            case .block(.socket): r.network = true
            default: break
            }
            r.site = site()
            recorded.append(r)
        }
        guard traceScheduler else { return }
        write("[\(CFormat.string("%.3f", now))] \(EventStream.schedulerText(kind, detail, e.task))\n")
    }

    /// A scheduler event in words, as `--trace-sched` prints it after the time (and a recording
    /// shows it): `block main (join steak)`.
    static func schedulerText(_ kind: SchedulerEvent.Kind, _ detail: String?, _ task: TaskObj) -> String {
        "\(kind.rawValue) \(task.name)" + (detail.map { " (\($0))" } ?? "")
    }

    /// Records a coroutine event and prints its `--trace-coroutines` line.
    private func emitCoroutine(_ e: RunEvent) {
        if !traceCoroutineEvents && recordedCoroutines.count >= EventStream.maxRecordedCoroutines {
            droppedCoroutines += 1
            return
        }
        guard let (co, kind, other) = EventStream.coroutineParts(e.kind) else { return }
        let now = clock.now
        if recording && recordedCoroutines.count >= EventStream.maxRecordedCoroutines {
            droppedCoroutines += 1
        } else if recording {
            recordedCoroutines.append(
                CoroutineEvent(
                    time: now, order: recorded.count, coroutineId: co.id, coroutineName: co.name, kind: kind,
                    otherId: other.flatMap { $0.isTaskRoot ? nil : $0.id }, taskId: e.task.id,
                    taskName: e.task.name))
        }
        guard traceCoroutineEvents else { return }
        write("[\(CFormat.string("%.3f", now))] \(EventStream.coroutineText(co, kind, other, in: e.task))\n")
    }

    /// A coroutine event in words, as `--trace-coroutines` prints it after the time (and a
    /// recording shows it): `yield co#3 numbers (to main)`.
    static func coroutineText(_ co: Fiber, _ kind: CoroutineEvent.Kind, _ other: Fiber?, in task: TaskObj) -> String {
        let line = "\(kind.rawValue) co#\(co.id) \(co.name)"
        let who = other.map { fiberName($0, in: task) } ?? task.name
        switch kind {
        case .create: return line + " (by \(task.name))"
        case .resume: return line + " (by \(who))"
        case .yield, .return, .fail: return line + " (to \(who))"
        case .throw: return line + " (raised here, via \(who))"
        case .close: return line
        }
    }

    /// A fiber as `--trace-coroutines` names it: its task's name for a root, else `co#N name`.
    static func fiberName(_ f: Fiber, in task: TaskObj) -> String {
        f.isTaskRoot ? (f.task?.name ?? task.name) : "co#\(f.id) \(f.name)"
    }

    /// A coroutine event's coroutine, kind and the fiber on the other side; nil for scheduler events.
    static func coroutineParts(_ kind: RunEvent.Kind) -> (Fiber, CoroutineEvent.Kind, Fiber?)? {
        switch kind {
        case .create(let co): return (co, .create, nil)
        case .resume(let co): return (co, .resume, co.resumer)
        case .coroutineYield(let co, let to): return (co, .yield, to)
        case .coroutineReturn(let co, let to): return (co, .return, to)
        case .coroutineFail(let co, let to): return (co, .fail, to)
        case .throwInto(let inner, let via): return (inner, .throw, via)
        case .close(let co): return (co, .close, nil)
        default: return nil
        }
    }

    /// A scheduler event's kind and words; nil for coroutine events.
    static func describe(_ kind: RunEvent.Kind) -> (SchedulerEvent.Kind, String?)? {
        switch kind {
        case .spawn(let by): return (.spawn, by.map { "by \($0.name)" } ?? "the program")
        case .run(let random): return (.resume, random ? "random pick from the ready queue" : "front of the ready queue")
        case .yield(.program): return (.yield, nil)
        case .yield(.preempted(let slice)): return (.yield, "preempted: its time slice of \(slice) instructions is used up")
        case .yield(.interrupted): return (.yield, "interrupted")
        case .yield(.unwinding(let t)): return (.yield, "\(t.name) unwinds first: it was cancelled")
        case .yield(.prompt): return (.yield, "switched out for the prompt: it ran too long without yielding")
        case .sleep(let until): return (.sleep, "until \(VM.formatFloat(until))")
        case .block(let target): return (.block, target.blockDetail)
        case .wakeByTimer: return (.wake, "timer fired")
        case .wakeByNetwork(let words, let raising): return (.wake, words + (raising ? " (raising)" : ""))
        case .wake(let by, let raising): return (.wake, by.map { "by \($0.name)\(raising ? " (raising)" : "")" })
        case .wakeFor(let words, let by, let raising):
            return (.wake, (by.map { "by \($0.name): " } ?? "") + words + (raising ? " (raising)" : ""))
        case .finish: return (.finish, nil)
        case .unwound: return (.finish, "cancelled: its finally blocks ran")
        case .fail(let message): return (.fail, message)
        case .cancel(let by): return (.cancel, by.map { "by \($0.name)" } ?? "the input was abandoned")
        case .create, .resume, .coroutineYield, .coroutineReturn, .coroutineFail, .throwInto, .close: return nil
        }
    }

    /// The `--trace` line of a coroutine event (creating and closing one print nothing).
    static func traceText(_ kind: RunEvent.Kind) -> String? {
        switch kind {
        case .resume(let co): return "resume co#\(co.id) \(co.name)"
        case .coroutineYield(let co, let to): return "yield co#\(co.id) -> \(label(to))"
        case .coroutineReturn(let co, let to): return "return co#\(co.id) -> \(label(to))"
        case .coroutineFail(let co, let to): return "fail co#\(co.id) -> \(label(to))"
        case .throwInto(let inner, let via): return "throw into co#\(inner.id) via co#\(via.id)"
        default: return nil
        }
    }

    /// A fiber as traces name it: its task's name for a root, else `co#N`.
    static func label(_ f: Fiber) -> String {
        if let t = f.task { return t.name }
        return "co#\(f.id)"
    }
}
