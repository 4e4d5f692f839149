// `--record FILE.html` and `:record`: every step of a run (each source line reached, each scheduler
// and coroutine event), with what a learner needs to see at that step (every task's and
// coroutine's stack with its locals, the loop's queues, the channels, the output so far), kept
// compactly and written as the data of one self-contained HTML page (Tools/RecordingPage.swift).
//
// How it watches the run without changing it:
// - events come from the one event stream (`EventStream.listen`), the same that traces and
//   timelines use;
// - line steps come from `VM.checkpoint`, which runs before every instruction while a recording
//   wants steps (as it does for `--trace`); the step counter, limits and time slices are counted
//   the same way as without it;
// - it allocates nothing on the CoLang heap and calls no CoLang code: values are described with
//   `repr`, which only reads them, and it holds tasks, coroutines and channels without keeping
//   them alive: unowned references that the heap's `freeing` notice clears before a collection
//   frees the object, so the collector frees what it would have freed. (Swift `weak` references
//   would do the same, but their side tables of objects still alive at exit read as leaks to
//   LeakSanitizer, which cannot see the pointer in the object's reference count.)
// Snapshots are interned: a step refers to a frame, a stack, the loop's state, the channels and the
// globals by number, and each distinct one is stored once (a loop in one function repeats its
// outer frames and the loop state thousands of times).
import CoLangSyntax

/// The steps of one recorded run, and everything needed to show each of them.
final class Recorder {
    /// The most steps one recording keeps; a longer run keeps its first steps and says so.
    static let defaultMaxSteps = 50_000
    let maxSteps: Int
    unowned let vm: VM

    /// Whether the run went on past `maxSteps` (then the later steps are not recorded).
    private(set) var truncated = false
    /// Whether line steps are wanted (false once the recording is full or stopped).
    private(set) var wantsLines = true
    private var listener: Int?

    private var steps: [String] = []
    /// Scheduler events recorded (since `eventsBase`) by the last step: the page's timeline
    /// covers these, the part of the run the steps show.
    private(set) var lastEventCount = (scheduler: 0, coroutine: 0)
    var stepCount: Int { steps.count }

    // Interned snapshots, each stored once as JSON text.
    private var frames = Interner()
    private var stacks = Interner()
    /// The loop's state after each event, as changes (see `worldJSON`).
    private var worlds: [String] = []
    private var channelStates = Interner()
    private var globalStates = Interner()

    private var sources: [SourceText] = []
    private var sourceIndex: [ObjectIdentifier: Int] = [:]

    /// Everything printed so far (stdout and stderr, in order), and where each stderr stretch is.
    private var output = ""
    private var outputLength = 0  // in UTF-16 code units, as the page's JavaScript counts
    private var errorSpans: [(start: Int, end: Int)] = []

    // The last line step, to tell a new line from the next instruction of the same one.
    private var lastFiber: ObjectIdentifier?
    private var lastDepth = -1
    private var lastLine = -1
    private var lastOffset = -1

    // What the recording knows of each task, coroutine and channel (held without keeping it alive), by id.
    private var tasks: [Int: TaskCard] = [:]
    private var coroutines: [Int: CoroutineCard] = [:]
    private var channels: [Int: ChannelCard] = [:]
    private var channelNames: [Int: String] = [:]
    private var world = -1
    /// Tasks and coroutines an event touched since the last world entry: only their entries
    /// can have changed (a status changes only with an event of its own).
    private var dirtyTasks: Set<Int> = []
    private var dirtyCoroutines: Set<Int> = []
    private var channelState = -1
    private var globalState = -1
    /// Global names that exist before the program runs (builtins, the prelude): not shown.
    private var builtinGlobals: Set<String> = []

    private final class TaskCard {
        /// Sound: cleared by `forget` before the heap frees the task, and read only between steps.
        unowned(unsafe) var task: TaskObj?
        let id: Int
        var name: String
        var status = "ready"
        /// Its entry as last recorded (an entry is recorded again only when it changes).
        var last = ""
        let root: Int
        init(_ t: TaskObj) { task = t; id = t.id; name = t.name; root = t.root.id }
    }

    private final class CoroutineCard {
        /// Sound: cleared by `forget` before the heap frees the fiber.
        unowned(unsafe) var fiber: Fiber?
        let id: Int
        let name: String
        var status = "created"
        /// Who resumed it last (a task's name or `co#N name`).
        var resumedBy = ""
        var last = ""
        init(_ f: Fiber) { fiber = f; id = f.id; name = f.name }
    }

    private final class ChannelCard {
        /// Sound: cleared by `forget` before the heap frees the channel.
        unowned(unsafe) var channel: ChannelObj?
        let id: Int
        let capacity: Int
        var closed = false
        init(_ c: ChannelObj) { channel = c; id = c.id; capacity = c.capacity }
    }

    /// Scheduler events recorded before this recording began: a step's event count starts here.
    let eventsBase: Int

    /// Coroutine events recorded before this recording began.
    let coroutineBase: Int

    init(vm: VM, maxSteps: Int = Recorder.defaultMaxSteps, eventsBase: Int = 0, coroutineBase: Int = 0) {
        self.vm = vm
        self.eventsBase = eventsBase
        self.coroutineBase = coroutineBase
        self.maxSteps = max(1, maxSteps)
        builtinGlobals = Set(vm.definedGlobalNames())
        for t in vm.scheduler.live {
            tasks[t.id] = TaskCard(t)
            hold(t, kind: .task, id: t.id)
            dirtyTasks.insert(t.id)
        }
        listener = vm.events.listen { [unowned self] e in self.event(e) }
        vm.heap.freeing = { [unowned self] id in self.forget(id) }
    }

    /// Objects the recording refers to, by identity, and where: cleared when the heap frees them.
    private var held: [ObjectIdentifier: (kind: HeldKind, id: Int)] = [:]
    private enum HeldKind { case task, coroutine, channel }

    private func hold(_ o: AnyObject, kind: HeldKind, id: Int) { held[ObjectIdentifier(o)] = (kind, id) }

    /// The heap is about to free the object `o`: the recording stops referring to it.
    private func forget(_ o: ObjectIdentifier) {
        guard let (kind, id) = held.removeValue(forKey: o) else { return }
        switch kind {
        case .task: tasks[id]?.task = nil
        case .coroutine:
            if let card = coroutines[id] {
                card.fiber = nil
                if card.status != "done" && card.status != "failed" {
                    card.status = "collected"
                    dirtyCoroutines.insert(id)
                }
            }
        case .channel: channels[id]?.channel = nil
        }
    }

    /// Stops watching the run (the steps so far stay).
    func stop() {
        wantsLines = false
        vm.heap.freeing = nil
        held = [:]
        for card in tasks.values { card.task = nil }
        for card in coroutines.values { card.fiber = nil }
        for card in channels.values { card.channel = nil }
        if let listener { vm.events.stopListening(listener) }
        listener = nil
    }

    // MARK: - Steps

    /// Before an instruction (from `VM.checkpoint`, registers saved): a step when it begins a new
    /// line, enters or leaves a function, jumps back within one line, or another fiber runs.
    func instruction(proto: FunctionProto, offset: Int) {
        guard let f = vm.current, !proto.isPrelude else { return }
        let id = ObjectIdentifier(f)
        let line = proto.location(at: offset).line
        let depth = f.frameCount
        defer { lastOffset = offset }
        if id == lastFiber && depth == lastDepth && line == lastLine && offset >= lastOffset { return }
        lastFiber = id
        lastDepth = depth
        lastLine = line
        guard line > 0 else { return }
        let source = index(of: proto.source)
        record(kind: "line", task: vm.currentTask, fiber: f, source: source, line: line, text: nil, snapshot: [f], lineStep: true)
    }

    /// A scheduler or coroutine event: a step of its own.
    private func event(_ e: RunEvent) {
        var snapshot: [Fiber] = []
        let text: String
        let kind: String
        if let (co, coKind, other) = EventStream.coroutineParts(e.kind) {
            // The words `--trace-coroutines` prints, as scheduler steps have `--trace-sched`'s.
            kind = "co-" + coKind.rawValue
            text = EventStream.coroutineText(co, coKind, other, in: e.task)
            switch coKind {
            case .create:
                coroutines[co.id] = CoroutineCard(co)
                hold(co, kind: .coroutine, id: co.id)
            case .resume:
                card(co).resumedBy = other.map { EventStream.fiberName($0, in: e.task) } ?? e.task.name
                if let other { snapshot.append(other) }
            case .yield, .return, .fail, .close: snapshot.append(co)
            case .throw: break
            }
            dirtyCoroutines.insert(co.id)
            if let other { dirtyCoroutines.insert(other.id) }
            if let r = co.resumer { dirtyCoroutines.insert(r.id) }
        } else {
            guard let (k, detail) = EventStream.describe(e.kind) else { return }
            kind = k.rawValue
            text = EventStream.schedulerText(k, detail, e.task)
            if case .spawn = e.kind, tasks[e.task.id] == nil {
                tasks[e.task.id] = TaskCard(e.task)
                hold(e.task, kind: .task, id: e.task.id)
            }
            switch e.kind {
            case .yield, .sleep, .block, .finish, .fail, .unwound: snapshot.append(e.task.active)
            default: break
            }
        }
        world = -1  // statuses or queues changed
        dirtyTasks.insert(e.task.id)
        let loc = vm.currentTask === e.task ? vm.currentSite(exactInnermost: false) : nil
        let source = loc.map { index(of: $0.0) } ?? -1
        record(
            kind: kind, task: e.task, fiber: vm.current, source: source, line: loc?.1.line ?? 0, text: text, snapshot: snapshot,
            lineStep: false)
    }

    /// The last step: the run is over (`text` says how); nothing is recorded after it.
    func finish(_ text: String) {
        guard !truncated else { return }
        world = -1
        if steps.count >= maxSteps { steps.removeLast() }  // the end is worth more than one more step
        record(kind: "end", task: nil, fiber: nil, source: -1, line: 0, text: text, snapshot: [], lineStep: false)
        stop()
    }

    /// A channel made while recording (`channel(n)`).
    func channelCreated(_ c: ChannelObj) {
        channels[c.id] = ChannelCard(c)
        hold(c, kind: .channel, id: c.id)
        namingGap = 1
        nextNaming = steps.count
    }

    /// Program output (stdout, or stderr with `isError`), as it is written.
    func wrote(_ s: String, isError: Bool) {
        guard !truncated else { return }
        let n = s.utf16.count
        if isError { errorSpans.append((outputLength, outputLength + n)) }
        output += s
        outputLength += n
    }

    private func record(
        kind: String, task: TaskObj?, fiber: Fiber?, source: Int, line: Int, text: String?,
        snapshot: [Fiber], lineStep: Bool
    ) {
        guard !truncated else { return }
        if steps.count >= maxSteps {
            truncated = true
            stop()
            return
        }
        // A task renames itself (`current_task().name = "steak"`) without an event.
        if let task, let card = tasks[task.id], card.name != task.name {
            dirtyTasks.insert(task.id)
            // Those joining it say its name in what they wait on.
            for t in vm.scheduler.live where t.waitsToJoin(task) { dirtyTasks.insert(t.id) }
            world = -1
        }
        if world < 0 {
            worlds.append(worldJSON())
            world = worlds.count - 1
        }
        if steps.count >= nextNaming { refreshChannelNames() }
        channelState = channelStates.intern(channelsJSON())
        globalState = globalStates.intern(globalsJSON())

        var json = JSONText()
        json.open("[")
        json.string(kind)
        json.int(task?.id ?? 0)
        json.int(fiber?.id ?? 0)
        json.int(source)
        json.int(line)
        json.optionalString(text)
        json.double(vm.clock.now)
        json.int(outputLength)
        json.int(world)
        json.int(channelState)
        json.int(globalState)
        lastEventCount = (vm.events.recorded.count - eventsBase, vm.events.recordedCoroutines.count - coroutineBase)
        // The events so far, scheduler and coroutine events together, as an event axis counts them.
        json.int(lastEventCount.scheduler + lastEventCount.coroutine)
        json.open("[")
        for f in snapshot {
            json.int(f.id)
            json.int(stack(of: f, running: lineStep && f === fiber))
        }
        json.close("]")
        json.close("]")
        steps.append(json.text)
    }

    // MARK: - Snapshots

    private func index(of source: SourceText) -> Int {
        let id = ObjectIdentifier(source)
        if let i = sourceIndex[id] { return i }
        sources.append(source)
        sourceIndex[id] = sources.count - 1
        return sources.count - 1
    }

    private func card(_ co: Fiber) -> CoroutineCard {
        if let c = coroutines[co.id] { return c }
        let c = CoroutineCard(co)
        coroutines[co.id] = c
        hold(co, kind: .coroutine, id: co.id)
        return c
    }

    /// A fiber's frames, outermost first, as the id of an interned list of interned frames. The
    /// running fiber's top frame is at the instruction about to run (its saved ip); every other
    /// frame is inside the call (or yield) that its saved ip follows.
    private func stack(of f: Fiber, running: Bool) -> Int {
        var json = JSONText()
        json.open("[")
        if !f.isFinished {
            // A deep recursion shows its outermost and innermost frames and says how many
            // are left out between them, so a step costs the same at any depth.
            let count = f.frameCount
            let skipped = count > Recorder.shownFrames ? count - Recorder.shownFrames : 0
            let outer = Recorder.shownFrames / 8
            let shown = skipped == 0 ? Array(0..<count) : Array(0..<outer) + [-1] + Array((outer + skipped)..<count)
            for i in shown {
                if i < 0 {
                    json.int(frames.intern("[\"… \(skipped) more calls\",-1,0,[],[]]"))
                    continue
                }
                let frame = f.frames[i]
                let closure = frame.closure.takeUnretainedValue()
                let proto = closure.proto
                if proto.isPrelude { continue }
                let top = i == f.frameCount - 1
                let offset = top && running ? frame.ip : max(frame.ip - 1, 0)
                json.int(frames.intern(frameJSON(f, frame, closure, offset: offset)))
            }
        }
        json.close("]")
        return stacks.intern(json.text)
    }

    /// `[function, source, line, [[local, value]...], [[captured, value]...]]`.
    private func frameJSON(_ f: Fiber, _ frame: CallFrame, _ closure: ClosureObj, offset: Int) -> String {
        let proto = closure.proto
        var json = JSONText()
        json.open("[")
        json.string(proto.name.isEmpty ? "fn" : proto.name)
        json.int(index(of: proto.source))
        json.int(proto.location(at: offset).line)
        json.open("[")
        var seen: Set<Int> = []
        for l in proto.localNames.reversed()
        where !l.name.isEmpty && !l.name.hasPrefix("(") && l.range.lowerBound <= offset && offset < l.range.upperBound {
            let at = frame.base + l.slot
            guard at < f.sp, seen.insert(l.slot).inserted else { continue }
            variable(&json, l.name, f.stack[at])
        }
        json.close("]")
        json.open("[")
        for (i, name) in proto.upvalueNames.enumerated() where i < closure.upvalues.count {
            variable(&json, name, closure.upvalues[i].value)
        }
        json.close("]")
        json.close("]")
        return json.text
    }

    /// `[name, value]`, the value as the REPL echoes it, cut at `valueWidth`.
    private func variable(_ json: inout JSONText, _ name: String, _ value: Value) {
        json.open("[")
        json.string(name)
        json.string(vm.repr(value, maxLength: Recorder.valueWidth))
        json.close("]")
    }

    /// A stack shows at most this many frames (an eighth of them outermost, the rest innermost).
    static let shownFrames = 32

    /// Values are cut to this many characters (as `repr` cuts them).
    static let valueWidth = 80

    /// The program's globals (not builtins, not the prelude's), `[[name, value]...]`.
    private func globalsJSON() -> String {
        var json = JSONText()
        json.open("[")
        for (name, v) in vm.globalNamesAndValues() where !builtinGlobals.contains(name) {
            variable(&json, name, v)
        }
        json.close("]")
        return json.text
    }

    /// The loop and the statuses, as a change to the previous one (a run with hundreds of tasks
    /// would otherwise repeat every task at every event): `{"run": task, "tasks": [[id, name,
    /// status, waits on, root fiber, active fiber, wakes at]...], "cos": [[id, name, status,
    /// resumed by, task, resumer fiber]...], "ready": [ids]}`, where `tasks` and `cos` hold only
    /// the entries that changed (the page applies them in order); `ready` is the whole queue.
    private func worldJSON() -> String {
        let scheduler = vm.scheduler
        var json = JSONText()
        json.open("{")
        json.key("run")
        json.int(vm.currentTask?.status == .running ? vm.currentTask.id : 0)
        json.key("tasks")
        json.open("[")
        for id in dirtyTasks.sorted() {
            guard let card = tasks[id], card.task != nil || card.last.isEmpty else { continue }
            var waits = ""
            var active = card.root
            var until = -1.0
            if let t = card.task {
                card.name = t.name
                card.status = t.status.name
                if t.status == .sleeping || t.status == .blocked { waits = t.waitingOn.blockDetail ?? t.waitingOn.tableText }
                if case .timer(let time) = t.waitingOn, t.status == .sleeping { until = time }
                if scheduler.isPaused(t) { waits = "(paused)" }
                active = t.active.id
                if t.status.isFinished { card.task = nil }  // its entry is final
            }
            var entry = JSONText()
            entry.open("[")
            entry.int(card.id)
            entry.string(card.name)
            entry.string(card.status)
            entry.string(waits)
            entry.int(card.root)
            entry.int(active)
            entry.double(until)
            entry.close("]")
            if entry.text != card.last {
                card.last = entry.text
                json.raw(entry.text)
            }
        }
        json.close("]")
        json.key("cos")
        json.open("[")
        for id in dirtyCoroutines.sorted() {
            guard let card = coroutines[id] else { continue }
            var task = 0, resumer = 0
            if let f = card.fiber {
                if f.state == .active, let chain = vm.currentTask {
                    // An event touches only fibers of the running task's resume chain, and the
                    // innermost one runs (`Fiber.status` finds that by walking the chain, which
                    // costs the chain's depth at every event of a deep nest of resumes).
                    card.status = chain.active === f ? "running" : "normal"
                    resumer = f.resumer?.id ?? 0
                    task = chain.id
                } else {
                    card.status = f.status.name
                }
            }  // else `forget` gave it its last status
            var entry = JSONText()
            entry.open("[")
            entry.int(card.id)
            entry.string(card.name)
            entry.string(card.status)
            entry.string(card.resumedBy)
            entry.int(task)
            entry.int(resumer)
            entry.close("]")
            if entry.text != card.last {
                card.last = entry.text
                json.raw(entry.text)
            }
        }
        json.close("]")
        dirtyTasks.removeAll(keepingCapacity: true)
        dirtyCoroutines.removeAll(keepingCapacity: true)
        json.key("ready")
        json.open("[")
        // The front of the queue (a program that spawns 10,000 tasks has them all ready).
        var queued: Set<Int> = []
        var more = 0
        for t in scheduler.urgent where t.status == .ready && !queued.contains(t.id) {
            if queued.count == Recorder.shownQueue { more = scheduler.urgent.count + scheduler.ready.count - queued.count; break }
            queued.insert(t.id)
            json.int(t.id)
        }
        for t in scheduler.ready where more == 0 && t.status == .ready && !queued.contains(t.id) {
            if queued.count == Recorder.shownQueue { more = scheduler.urgent.count + scheduler.ready.count - queued.count; break }
            queued.insert(t.id)
            json.int(t.id)
        }
        json.close("]")
        json.key("more")
        json.int(more)
        json.close("}")
        return json.text
    }

    /// Names channels by the variables that hold them (as deadlock reports do), once found.
    /// Looking walks every live task's frames, so while a channel stays unnamed the recorder
    /// looks again after 1, 2, 4, ... steps (up to 4,096), starting over when a channel is made.
    private func refreshChannelNames() {
        guard channels.contains(where: { channelNames[$0.key] == nil }) else {
            nextNaming = Int.max
            return
        }
        let names = vm.channelNames(seenBy: vm.scheduler.live)
        for card in channels.values where channelNames[card.id] == nil {
            if let c = card.channel, let name = names[ObjectIdentifier(c)] { channelNames[card.id] = name }
        }
        namingGap = min(namingGap * 2, 4096)
        nextNaming = steps.count + namingGap
    }
    private var nextNaming = Int.max
    private var namingGap = 1

    /// `[[id, name, capacity, [buffered values], closed, [senders], [receivers]]...]`.
    private func channelsJSON() -> String {
        var json = JSONText()
        json.open("[")
        for card in channels.values.sorted(by: { $0.id < $1.id }) {
            json.open("[")
            json.int(card.id)
            json.string(channelNames[card.id] ?? "")
            json.int(card.capacity)
            json.open("[")
            var senders: [Int] = [], receivers: [Int] = []
            if let c = card.channel {
                card.closed = c.closed
                for v in c.buffer.prefix(Recorder.shownBuffer) { json.string(vm.repr(v, maxLength: 30)) }
                if c.buffer.count > Recorder.shownBuffer { json.string("… \(c.buffer.count - Recorder.shownBuffer) more") }
                var seen: Set<Int> = []
                for t in c.senders where t.valueWaitingToSend(on: c) != nil && seen.insert(t.id).inserted { senders.append(t.id) }
                seen = []
                for t in c.receivers where t.waitsToReceive(on: c) && seen.insert(t.id).inserted { receivers.append(t.id) }
            }
            json.close("]")
            json.bool(card.closed)
            json.ints(senders)
            json.ints(receivers)
            json.close("]")
        }
        json.close("]")
        return json.text
    }

    /// The page draws no timeline with more task rows than this (`--timeline` still draws it).
    static let maxTimelineRows = 300

    /// The ready queue shows at most this many tasks (and how many more there are, about).
    static let shownQueue = 50

    /// A channel shows at most this many buffered values.
    static let shownBuffer = 20

    // MARK: - The page's data

    /// Everything recorded, as one JSON object (the page's `RUN` data).
    func json(title: String, timelineSVG: String?, exitStatus: Int32?) -> String {
        var json = JSONText()
        json.open("{")
        json.key("title")
        json.string(title)
        json.key("maxSteps")
        json.int(maxSteps)
        json.key("truncated")
        json.bool(truncated)
        json.key("clock")
        json.string(vm.clock.kind.rawValue)
        json.key("exit")
        if let exitStatus { json.int(Int(exitStatus)) } else { json.null() }
        json.key("sources")
        json.open("[")
        for s in sources {
            json.open("[")
            json.string(s.name)
            json.string(s.text)
            json.close("]")
        }
        json.close("]")
        json.key("fibers")
        json.open("{")
        for card in tasks.values.sorted(by: { $0.id < $1.id }) {
            json.key(String(card.root))
            json.open("[")
            json.string(card.name)
            json.string("task")
            json.int(card.id)
            json.close("]")
        }
        for card in coroutines.values.sorted(by: { $0.id < $1.id }) {
            json.key(String(card.id))
            json.open("[")
            json.string("co#\(card.id) \(card.name)")
            json.string("coroutine")
            json.int(0)
            json.close("]")
        }
        json.close("}")
        json.key("output")
        json.string(output)
        json.key("errors")
        json.open("[")
        for span in errorSpans {
            json.open("[")
            json.int(span.start)
            json.int(span.end)
            json.close("]")
        }
        json.close("]")
        json.key("frames")
        json.raw(frames.json)
        json.key("stacks")
        json.raw(stacks.json)
        json.key("worlds")
        json.raw("[" + worlds.joined(separator: ",") + "]")
        json.key("channels")
        json.raw(channelStates.json)
        json.key("globals")
        json.raw(globalStates.json)
        json.key("steps")
        json.open("[")
        for s in steps { json.raw(s) }
        json.close("]")
        json.key("timeline")
        if let timelineSVG { json.string(timelineSVG) } else { json.null() }
        json.close("}")
        return json.text
    }
}

/// Stores each distinct JSON text once and hands out its index.
private struct Interner {
    private var index: [String: Int] = [:]
    private var texts: [String] = []
    private var last = -1

    mutating func intern(_ text: String) -> Int {
        if last >= 0 && texts[last] == text { return last }
        if let i = index[text] {
            last = i
            return i
        }
        texts.append(text)
        index[text] = texts.count - 1
        last = texts.count - 1
        return last
    }

    /// All texts, as a JSON array.
    var json: String { "[" + texts.joined(separator: ",") + "]" }
}

/// JSON text built by appending: separators are inserted between the items of an array or
/// object, and strings are escaped for a page's `<script>` element as well (`<` as `\u003c`, so
/// no `</script>` can end it early).
struct JSONText {
    private(set) var text = ""
    private var needsComma = false

    mutating func open(_ bracket: Character) {
        separate()
        text.append(bracket)
        needsComma = false
    }

    mutating func close(_ bracket: Character) {
        text.append(bracket)
        needsComma = true
    }

    mutating func key(_ k: String) {
        string(k)
        text.append(":")
        needsComma = false
    }

    private mutating func separate() {
        if needsComma { text.append(",") }
        needsComma = true
    }

    mutating func raw(_ json: String) {
        separate()
        text += json
    }

    mutating func int(_ n: Int) {
        separate()
        text += String(n)
    }

    mutating func double(_ d: Double) {
        separate()
        text += d.isFinite ? CFormat.string("%.9g", d) : "null"
    }

    /// An array of numbers.
    mutating func ints(_ ns: [Int]) {
        open("[")
        for n in ns { int(n) }
        close("]")
    }

    mutating func bool(_ b: Bool) {
        separate()
        text += b ? "true" : "false"
    }

    mutating func null() {
        separate()
        text += "null"
    }

    mutating func optionalString(_ s: String?) {
        if let s { string(s) } else { null() }
    }

    mutating func string(_ s: String) {
        separate()
        text.append("\"")
        for u in s.unicodeScalars {
            switch u {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "<": text += "\\u003c"
            case ">": text += "\\u003e"
            case "&": text += "\\u0026"
            case "\u{2028}": text += "\\u2028"
            case "\u{2029}": text += "\\u2029"
            default:
                if u.value < 0x20 {
                    text += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
                } else {
                    text.unicodeScalars.append(u)
                }
            }
        }
        text.append("\"")
    }
}
