// Timelines: per-task spans built from scheduler events, drawn as a text chart or an SVG Gantt chart.
import FoundationEssentials
import Glibc

/// A state a chart row can show: its text symbol, and its place among the states (ties in a
/// text column go to the earlier one).
protocol ChartState: CaseIterable, Equatable {
    var symbol: Character { get }
    var index: Int { get }
}

/// What a task is doing during one span of a timeline.
enum TaskActivity: Int, ChartState {
    case running, ready, sleeping, blocked
    /// Waiting on a socket: for data, a client, room to write, or a connection.
    case network

    var index: Int { rawValue }

    /// The text chart's character for it.
    var symbol: Character {
        switch self {
        case .running: return "#"
        case .ready: return "-"
        case .sleeping: return "."
        case .blocked: return "x"
        case .network: return "~"
        }
    }

    /// The state a task enters with an event, `nil` when the event ends it.
    static func after(_ event: SchedulerEvent) -> TaskActivity? {
        switch event.kind {
        case .spawn, .wake, .yield: return .ready
        case .resume: return .running
        case .sleep: return .sleeping
        case .block: return event.network ? .network : .blocked
        case .finish, .fail, .cancel: return nil
        }
    }
}

/// What a coroutine is doing during one span, as `co.status` says it (a created coroutine that
/// has not started counts as suspended; a done or failed one has no span).
enum CoroutineActivity: Int, ChartState {
    case running
    /// It resumed another coroutine and waits for it to yield or end.
    case normal
    case suspended

    var index: Int { rawValue }

    var symbol: Character {
        switch self {
        case .running: return "#"
        case .normal: return "="
        case .suspended: return "."
        }
    }
}

/// One stretch of time during which a task or a coroutine did one thing.
struct Span<State: ChartState> {
    var activity: State
    var start: Double
    var end: Double
    /// The detail of the event that began it (what it blocks on, who woke it, why it was picked).
    var detail: String?
    var duration: Double { end - start }
}

typealias ActivitySpan = Span<TaskActivity>
typealias CoroutineSpan = Span<CoroutineActivity>

/// One row: a task's or a coroutine's latest name and its spans in time order.
struct ChartRow<State: ChartState> {
    let id: Int
    var name: String
    var spans: [Span<State>] = []
}

typealias TimelineRow = ChartRow<TaskActivity>
typealias CoroutineRow = ChartRow<CoroutineActivity>

/// What the horizontal axis counts: clock seconds, or events when the clock never moved.
enum TimelineAxis { case seconds, events }

/// Everything a chart needs, built once from the recorded events.
struct TimelineModel {
    var rows: [TimelineRow]
    /// One row per coroutine the run created, in order of creation (empty when it made none).
    var coroutineRows: [CoroutineRow]
    var start: Double
    var end: Double
    var axis: TimelineAxis
    var clock: ClockKind
    /// Every running span, in time order: when the CPU was busy (one task runs at a time).
    var busy: [ActivitySpan]
    /// Coroutine events after the recorded ones that were not kept (the recording's limit).
    var droppedCoroutineEvents = 0

    var duration: Double { end - start }
    var busySeconds: Double { busy.reduce(0) { $0 + $1.duration } }
    /// Busy time over elapsed time; `nil` where that is not measurable (virtual clock, event axis).
    var utilisation: Double? {
        clock == .real && axis == .seconds && duration > 0 ? busySeconds / duration : nil
    }

    /// Builds the rows from `events` and `coroutineEvents` (each in time order), closing open
    /// spans at `now`; the axis starts at `origin` (0 for a program, where its clock starts).
    /// When no time passed at all, the axis counts events instead, so the order stays visible.
    init(
        events: [SchedulerEvent], coroutineEvents: [CoroutineEvent] = [], now: Double, clock: ClockKind,
        origin: Double = 0
    ) {
        // Both kinds in one order: a coroutine event goes before the scheduler event numbered its `order`.
        var merged: [(time: Double, scheduler: Int?, coroutine: Int?)] = []
        var next = 0
        for (index, event) in events.enumerated() {
            while next < coroutineEvents.count && coroutineEvents[next].order <= index {
                merged.append((coroutineEvents[next].time, nil, next))
                next += 1
            }
            merged.append((event.time, index, nil))
        }
        for rest in next..<max(next, coroutineEvents.count) { merged.append((coroutineEvents[rest].time, nil, rest)) }

        let last = max(merged.last?.time ?? now, now)
        let first = merged.first?.time ?? now
        let stillClock = merged.count > 1 && last <= first
        var tasks = RowRecorder<TaskActivity>()
        var coroutines = RowRecorder<CoroutineActivity>()
        for (index, item) in merged.enumerated() {
            let time = stillClock ? Double(index) : item.time
            if let s = item.scheduler {
                let event = events[s]
                tasks.apply(event.taskId, name: event.taskName, next: TaskActivity.after(event), at: time, detail: event.detail)
            } else if let c = item.coroutine {
                Self.apply(coroutineEvents[c], to: &coroutines, at: time)
            }
        }
        self.start = stillClock ? 0 : min(max(0, origin), first)
        self.end = stillClock ? Double(merged.count - 1) : last
        self.axis = stillClock ? .events : .seconds
        self.clock = clock
        self.rows = tasks.finish(at: self.end)
        self.coroutineRows = coroutines.finish(at: self.end)
        self.busy = rows.flatMap { $0.spans.filter { $0.activity == .running } }.sorted { $0.start < $1.start }
    }

    /// A coroutine event: the coroutine's next state, and that of the coroutine on the other side.
    private static func apply(_ e: CoroutineEvent, to rows: inout RowRecorder<CoroutineActivity>, at time: Double) {
        let name = "co#\(e.coroutineId) \(e.coroutineName)"
        let mine: CoroutineActivity?
        let other: CoroutineActivity?
        switch e.kind {
        case .create: (mine, other) = (.suspended, nil)
        case .resume: (mine, other) = (.running, .normal)
        case .throw: (mine, other) = (.running, .normal)
        case .yield: (mine, other) = (.suspended, .running)
        case .return, .fail: (mine, other) = (nil, .running)
        case .close: (mine, other) = (nil, nil)
        }
        rows.apply(e.coroutineId, name: name, next: mine, at: time, detail: "in \(e.taskName)")
        if let otherId = e.otherId, let other { rows.apply(otherId, name: nil, next: other, at: time, detail: nil) }
    }

    var taskCountText: String {
        let tasks = "\(rows.count) task\(rows.count == 1 ? "" : "s")"
        guard !coroutineRows.isEmpty else { return tasks }
        return tasks + " and \(coroutineRows.count) coroutine\(coroutineRows.count == 1 ? "" : "s")"
    }

    /// What the event axis counts, in words.
    var eventWords: String { coroutineRows.isEmpty ? "scheduler events" : "scheduler and coroutine events" }
}

/// Turns events into spans: each event closes the row's open span and may open the next one.
private struct RowRecorder<State: ChartState> {
    private var rows: [ChartRow<State>] = []
    private var open: [Span<State>?] = []
    private var rowOf: [Int: Int] = [:]

    /// `name` renames the row (`nil`: keep it, or `#id` for a new one).
    mutating func apply(_ id: Int, name: String?, next: State?, at time: Double, detail: String?) {
        let row = rowIndex(id, name: name)
        close(row, at: time)
        if let next {
            open[row] = Span(activity: next, start: time, end: time, detail: detail)
        }
    }

    mutating func finish(at time: Double) -> [ChartRow<State>] {
        for row in rows.indices { close(row, at: time) }
        return rows
    }

    private mutating func rowIndex(_ id: Int, name: String?) -> Int {
        if let row = rowOf[id] {
            if let name { rows[row].name = name }
            return row
        }
        rowOf[id] = rows.count
        rows.append(ChartRow(id: id, name: name ?? "co#\(id)"))
        open.append(nil)
        return rows.count - 1
    }

    private mutating func close(_ row: Int, at time: Double) {
        guard var span = open[row] else { return }
        span.end = max(time, span.start)
        rows[row].spans.append(span)
        open[row] = nil
    }
}

// MARK: - Axis ticks and wording shared by both charts

/// Round tick values (1, 2 or 5 times a power of ten) across an axis.
struct AxisTicks {
    let values: [Double]
    let step: Double
    /// Seconds per unit of the labels, and the unit: µs, ms or s, chosen by the axis's end, so
    /// a run of 300 µs reads `100µs`, not `0.0001s`.
    let scale: Double
    let unit: String

    init(start: Double, end: Double, about count: Int) {
        let span = max(end - start, 1e-9)
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * 0.999 } ?? 10 * magnitude
        let firstIndex = Int(ceil(start / step - 1e-9))
        self.step = step
        values = (0...Int(span / step + 1)).map { Double(firstIndex + $0) * step }
            .filter { $0 <= end + step * 1e-6 }
        let largest = max(abs(start), abs(end))
        (scale, unit) = largest < 1e-3 ? (1e-6, "µs") : largest < 1 ? (1e-3, "ms") : (1, "s")
    }

    /// A tick's label: a time in the axis's unit, with as many decimals as the step needs, or an
    /// event number.
    func label(_ value: Double, axis: TimelineAxis) -> String {
        guard axis == .seconds else { return String(Int(value.rounded())) }
        if abs(value) < step * 1e-6 { return "0" + unit }
        let scaledStep = step / scale
        let decimals = scaledStep >= 1 - 1e-9 ? 0 : Int(ceil(-log10(scaledStep) - 1e-9))
        return CFormat.string("%.\(decimals)f", value / scale) + unit
    }
}

/// Sentences about the CPU that both charts print.
enum TimelineWording {
    static func seconds(_ value: Double) -> String {
        if value == 0 { return "0 s" }
        if value < 0.001 { return CFormat.string("%.3g µs", value * 1e6) }
        if value < 1 { return CFormat.string("%.3g ms", value * 1e3) }
        return value < 100 ? CFormat.string("%.3g s", value) : CFormat.string("%.0f s", value)
    }

    /// `42.0%` for a real run; `nil` when utilisation is not measurable.
    static func percent(_ model: TimelineModel) -> String? {
        model.utilisation.map { CFormat.string("%.1f%%", $0 * 100) }
    }

    /// How busy the CPU was, or why that cannot be measured (one or two lines).
    static func utilisation(_ model: TimelineModel) -> [String] {
        let dropped =
            model.droppedCoroutineEvents == 0
            ? []
            : [
                "Coroutine rows stop early: only the first \(EventStream.maxRecordedCoroutines) coroutine events "
                    + "were recorded (\(model.droppedCoroutineEvents) more were not)."
            ]
        return cpuLines(model) + dropped
    }

    private static func cpuLines(_ model: TimelineModel) -> [String] {
        let turns = "\(model.busy.count) turn\(model.busy.count == 1 ? "" : "s") ran"
        if model.axis == .events {
            return [
                "CPU utilisation: not measurable: the clock never moved (nobody slept),",
                "so the axis counts \(model.eventWords) instead of seconds (\(turns)).",
            ]
        }
        if let percent = percent(model) {
            return [
                "CPU utilisation: \(percent) (busy \(seconds(model.busySeconds)) of "
                    + "\(seconds(model.duration)); \(turns))."
            ]
        }
        return [
            "CPU utilisation: not measurable on the virtual clock, where running takes no time;",
            "rows show what each task did with the time: waiting (\(turns); --clock real measures it).",
        ]
    }

    static func heading(_ model: TimelineModel) -> String {
        let range: String
        switch model.axis {
        case .events: range = "\(Int(model.duration) + 1) \(model.eventWords) at \(seconds(model.start))"
        case .seconds: range = "\(seconds(model.duration)) on the \(model.clock.rawValue) clock"
        }
        return "\(model.taskCountText), \(range)"
    }
}

// MARK: - The text chart

/// One row per task over a fixed number of columns, a CPU row, a row per coroutine, axes and a
/// legend.
struct TextTimeline {
    let model: TimelineModel
    let width: Int

    func render() -> String {
        guard !model.rows.isEmpty || !model.coroutineRows.isEmpty else {
            return "timeline: no scheduler events were recorded\n"
        }
        let names = model.rows.map(\.name) + model.coroutineRows.map(\.name)
        let nameWidth = min(20, max(3, names.map(\.count).max() ?? 3))
        let labels = pad("", nameWidth) + " " + axisLabels()
        let border = pad("", nameWidth) + " +" + String(repeating: "-", count: width) + "+"
        var lines = ["timeline: " + TimelineWording.heading(model) + columnNote(), labels, border]
        for row in model.rows {
            lines.append(pad(row.name, nameWidth) + " |" + String(cells(for: row.spans)) + "|")
        }
        lines += [border, pad("CPU", nameWidth) + " |" + String(cpuCells()) + "|", border]
        if !model.coroutineRows.isEmpty {
            for row in model.coroutineRows {
                lines.append(pad(row.name, nameWidth) + " |" + String(cells(for: row.spans)) + "|")
            }
            lines.append(border)
        }
        lines.append(labels)
        lines += legend()
        return lines.joined(separator: "\n") + "\n"
    }

    private func columnNote() -> String {
        let events = CFormat.string("%.2g events", columnWidth)
        return " (one column = \(model.axis == .seconds ? TimelineWording.seconds(columnWidth) : events))"
    }

    private func legend() -> [String] {
        let states = TaskActivity.allCases.map { "\($0.symbol) \($0)" }.joined(separator: "   ")
        var lines = [
            "legend: \(states)   (blank: not spawned yet, or over)",
            "        each column shows what the task did for most of that column's time",
        ]
        switch cpuMode {
        case .busyShare:
            lines.append("CPU:    # busy most of that column   + a tenth to a half   . less   (blank: idle)")
        case .instants:
            lines.append("CPU:    . a task took a turn in that column, taking no time   (blank: no turn)")
        case .ran:
            lines.append("CPU:    # some task ran in that column   (blank: idle)")
        }
        if !model.coroutineRows.isEmpty {
            let states = CoroutineActivity.allCases.map { "\($0.symbol) \($0)" }.joined(separator: "   ")
            lines.append("co#N:   \(states) (or not started)   (blank: not created yet, or done)")
            lines.append("        normal: it resumed another coroutine and waits for it")
        }
        return lines + TimelineWording.utilisation(model)
    }

    private var columnWidth: Double { max(model.duration, 1e-12) / Double(width) }

    /// Where a tick at `time` sits: the left edge of a column, or `width` for the chart's right edge.
    func tickColumn(of time: Double) -> Int {
        guard model.duration > 0 else { return 0 }
        return min(width, max(0, Int(((time - model.start) / model.duration * Double(width)).rounded())))
    }

    private func cells<State: ChartState>(for spans: [Span<State>]) -> [Character] {
        sampler.states(of: spans).map { $0?.symbol ?? " " }
    }

    private var sampler: ColumnSampler { ColumnSampler(start: model.start, duration: model.duration, count: width) }

    private enum CPUMode {
        /// The real clock: how busy each column was, so that a stretch of short turns between long
        /// waits (a task fetching one URL after another) reads as mostly idle.
        case busyShare
        /// The virtual clock, where turns take no time: the columns with a turn.
        case instants
        /// The event axis: the columns in which some task ran.
        case ran
    }

    private var cpuMode: CPUMode {
        if model.utilisation != nil { return .busyShare }
        return model.axis == .seconds ? .instants : .ran
    }

    private func cpuCells() -> [Character] {
        let (busy, ran) = sampler.busy(model.busy)
        switch cpuMode {
        case .instants: return ran.map { $0 ? "." : " " }
        case .ran: return ran.map { $0 ? "#" : " " }
        case .busyShare:
            return (0..<width).map { c in
                let share = busy[c] + 1e-9  // a half that rounding made 0.4999…
                if share >= 0.5 { return "#" }
                if share >= 0.1 { return "+" }
                return ran[c] || busy[c] > 0 ? "." : " "
            }
        }
    }

    var ticks: AxisTicks { AxisTicks(start: model.start, end: model.end, about: 6) }

    /// Tick labels: `|` right above the tick's column, then the value; a label that would run
    /// into the previous one is left out. (The line starts under the rows' left border.)
    private func axisLabels() -> String {
        var line = [Character](repeating: " ", count: width + 10)
        var free = 0
        for value in ticks.values {
            let text = Array("|" + ticks.label(value, axis: model.axis))
            let at = tickColumn(of: value) + 1
            guard at >= free, at + text.count <= line.count else { continue }
            line.replaceSubrange(at..<(at + text.count), with: text)
            free = at + text.count + 1
        }
        return String(String(line).reversed().drop { $0 == " " }.reversed())
    }

    private func pad(_ text: String, _ count: Int) -> String {
        if text.count > count { return String(text.prefix(count - 1)) + "…" }
        return text + String(repeating: " ", count: count - text.count)
    }
}

// MARK: - Columns: what a row did in each slice of the axis, for both charts

/// Cuts the axis into `count` equal columns (text characters, or SVG pixels) and says what a row
/// did in each: the state that filled most of the column's time (the earlier state on ties). A
/// span that takes no time (a turn on the virtual clock) fills nothing, so it shows only in a
/// column where the row did nothing that took time: a task that waits with short turns in
/// between reads as waiting, not as running, however many turns it took.
struct ColumnSampler {
    let start: Double
    let duration: Double
    let count: Int

    var width: Double { max(duration, 1e-12) / Double(count) }

    func column(of time: Double) -> Int {
        guard duration > 0 else { return 0 }
        let c = Int(((time - start) / duration * Double(count)).rounded(.down))
        return min(count - 1, max(0, c))
    }

    func columnStart(_ c: Int) -> Double { start + Double(c) * width }

    /// The state each column shows, `nil` where the row did nothing (not there yet, or over).
    func states<State: ChartState>(of spans: [Span<State>]) -> [State?] {
        let states = Array(State.allCases)
        var time = [Double](repeating: 0, count: count * states.count)
        var instant = [State?](repeating: nil, count: count)
        for span in spans {
            if span.duration <= 0 {
                let c = column(of: span.start)
                if instant[c].map({ span.activity.index < $0.index }) ?? true { instant[c] = span.activity }
                continue
            }
            for c in column(of: span.start)...column(of: span.end) {
                let overlap = min(span.end, columnStart(c + 1)) - max(span.start, columnStart(c))
                if overlap > 0 { time[c * states.count + span.activity.index] += overlap }
            }
        }
        return (0..<count).map { c in
            var best: State?
            for state in states where time[c * states.count + state.index] > 0 {
                let t = time[c * states.count + state.index]
                if best.map({ t > time[c * states.count + $0.index] * (1 + 1e-9) }) ?? true { best = state }
            }
            return best ?? instant[c]
        }
    }

    /// For the CPU: the share of each column that some task was running (0...1), and whether a
    /// turn began or ran in it at all.
    func busy(_ spans: [ActivitySpan]) -> (share: [Double], ran: [Bool]) {
        var busy = [Double](repeating: 0, count: count)
        var ran = [Bool](repeating: false, count: count)
        for span in spans {
            ran[column(of: span.start)] = true
            guard span.duration > 0 else { continue }
            for c in column(of: span.start)...column(of: span.end) {
                let overlap = min(span.end, columnStart(c + 1)) - max(span.start, columnStart(c))
                if overlap > 0 {
                    ran[c] = true
                    busy[c] += overlap
                }
            }
        }
        return (busy.map { $0 / width }, ran)
    }
}
