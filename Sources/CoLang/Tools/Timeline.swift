// Timelines: per-task spans built from scheduler events, drawn as a text chart or an SVG Gantt chart.
import FoundationEssentials
import Glibc

/// What a task is doing during one span of a timeline.
enum TaskActivity: Int, CaseIterable {
    case running, ready, sleeping, blocked
    /// Waiting on a socket: for data, a client, room to write, or a connection.
    case network

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

/// One stretch of time during which a task did one thing.
struct ActivitySpan {
    var activity: TaskActivity
    var start: Double
    var end: Double
    /// The detail of the event that began it (what it blocks on, who woke it, why it was picked).
    var detail: String?
    var duration: Double { end - start }
}

/// One task's row: its latest name and its spans in time order.
struct TimelineRow {
    let taskId: Int
    var name: String
    var spans: [ActivitySpan] = []
}

/// What the horizontal axis counts: clock seconds, or scheduler events when the clock never moved.
enum TimelineAxis { case seconds, events }

/// Everything a chart needs, built once from the recorded events.
struct TimelineModel {
    var rows: [TimelineRow]
    var start: Double
    var end: Double
    var axis: TimelineAxis
    var clock: ClockKind
    /// Every running span, in time order: when the CPU was busy (one task runs at a time).
    var busy: [ActivitySpan]

    var duration: Double { end - start }
    var busySeconds: Double { busy.reduce(0) { $0 + $1.duration } }
    /// Busy time over elapsed time; `nil` where that is not measurable (virtual clock, event axis).
    var utilisation: Double? {
        clock == .real && axis == .seconds && duration > 0 ? busySeconds / duration : nil
    }

    /// Builds the rows from `events` (in time order), closing open spans at `now`.
    /// When no time passed at all, the axis counts events instead, so the order stays visible.
    init(events: [SchedulerEvent], now: Double, clock: ClockKind) {
        let last = max(events.last?.time ?? now, now)
        let first = Self.startTime(events.first?.time ?? now, last: last)
        let stillClock = events.count > 1 && last <= first
        var recorder = SpanRecorder()
        for (index, event) in events.enumerated() {
            recorder.apply(event, at: stillClock ? Double(index) : event.time)
        }
        self.start = stillClock ? 0 : first
        self.end = stillClock ? Double(events.count - 1) : last
        self.axis = stillClock ? .events : .seconds
        self.clock = clock
        self.rows = recorder.finish(at: self.end)
        self.busy = rows.flatMap { $0.spans.filter { $0.activity == .running } }.sorted { $0.start < $1.start }
    }

    /// The first event's time, or 0 when the run began (almost) at the clock's start, so a
    /// script's axis starts at 0s.
    private static func startTime(_ first: Double, last: Double) -> Double {
        first >= 0 && first <= 0.02 * (last - first) ? 0 : first
    }

    var taskCountText: String { "\(rows.count) task\(rows.count == 1 ? "" : "s")" }
}

/// Turns events into spans: each event closes the task's open span and may open the next one.
private struct SpanRecorder {
    private var rows: [TimelineRow] = []
    private var open: [ActivitySpan?] = []
    private var rowOfTask: [Int: Int] = [:]

    mutating func apply(_ event: SchedulerEvent, at time: Double) {
        let row = rowIndex(for: event)
        close(row, at: time)
        if let next = TaskActivity.after(event) {
            open[row] = ActivitySpan(activity: next, start: time, end: time, detail: event.detail)
        }
    }

    mutating func finish(at time: Double) -> [TimelineRow] {
        for row in rows.indices { close(row, at: time) }
        return rows
    }

    private mutating func rowIndex(for event: SchedulerEvent) -> Int {
        if let row = rowOfTask[event.taskId] {
            rows[row].name = event.taskName
            return row
        }
        rowOfTask[event.taskId] = rows.count
        rows.append(TimelineRow(taskId: event.taskId, name: event.taskName))
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

    init(start: Double, end: Double, about count: Int) {
        let span = max(end - start, 1e-9)
        let raw = span / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * 0.999 } ?? 10 * magnitude
        let firstIndex = Int(ceil(start / step - 1e-9))
        self.step = step
        values = (0...Int(span / step + 1)).map { Double(firstIndex + $0) * step }
            .filter { $0 <= end + step * 1e-6 }
    }

    /// A tick's label: seconds with as many decimals as the step needs, or an event number.
    func label(_ value: Double, axis: TimelineAxis) -> String {
        guard axis == .seconds else { return String(Int(value.rounded())) }
        if abs(value) < step * 1e-6 { return "0s" }
        let decimals = step >= 1 ? 0 : Int(ceil(-log10(step) - 1e-9))
        return CFormat.string("%.\(decimals)f", value) + "s"
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
        let turns = "\(model.busy.count) turn\(model.busy.count == 1 ? "" : "s") ran"
        if model.axis == .events {
            return [
                "CPU utilisation: not measurable: the clock never moved (nobody slept),",
                "so the axis counts scheduler events instead of seconds (\(turns)).",
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
            "each mark is an instant when a task ran (\(turns); --clock real measures it).",
        ]
    }

    static func heading(_ model: TimelineModel) -> String {
        let range: String
        switch model.axis {
        case .events: range = "\(Int(model.duration) + 1) scheduler events at \(seconds(model.start))"
        case .seconds: range = "\(seconds(model.duration)) on the \(model.clock.rawValue) clock"
        }
        return "\(model.taskCountText), \(range)"
    }
}

// MARK: - The text chart

/// One row per task over a fixed number of columns, a CPU row, axes and a legend.
struct TextTimeline {
    let model: TimelineModel
    let width: Int

    func render() -> String {
        guard !model.rows.isEmpty else { return "timeline: no scheduler events were recorded\n" }
        let nameWidth = min(20, max(3, model.rows.map(\.name.count).max() ?? 3))
        let labels = pad("", nameWidth) + " " + axisLabels()
        let border = pad("", nameWidth) + " +" + String(repeating: "-", count: width) + "+"
        var lines = ["timeline: " + TimelineWording.heading(model) + columnNote(), labels, border]
        for row in model.rows {
            lines.append(pad(row.name, nameWidth) + " |" + String(cells(for: row.spans)) + "|")
        }
        lines += [border, pad("CPU", nameWidth) + " |" + String(cpuCells()) + "|", border, labels]
        lines += legend()
        return lines.joined(separator: "\n") + "\n"
    }

    private func columnNote() -> String {
        let events = CFormat.string("%.2g events", columnWidth)
        return " (one column = \(model.axis == .seconds ? TimelineWording.seconds(columnWidth) : events))"
    }

    private func legend() -> [String] {
        let states = TaskActivity.allCases.map { "\($0.symbol) \($0)" }.joined(separator: "   ")
        return [
            "legend: \(states)   (blank: not spawned yet, or over)",
            measuresBusyTime
                ? "CPU:    # busy most of that column   + a tenth to a half   . less   (blank: idle)"
                : "CPU:    # some task ran in that column   (blank: idle)",
        ] + TimelineWording.utilisation(model)
    }

    private var columnWidth: Double { max(model.duration, 1e-12) / Double(width) }

    private func column(of time: Double) -> Int {
        guard model.duration > 0 else { return 0 }
        let c = Int(((time - model.start) / model.duration * Double(width)).rounded(.down))
        return min(width - 1, max(0, c))
    }

    /// Where a tick at `time` sits: the left edge of a column, or `width` for the chart's right edge.
    private func tickColumn(of time: Double) -> Int {
        guard model.duration > 0 else { return 0 }
        return min(width, max(0, Int(((time - model.start) / model.duration * Double(width)).rounded())))
    }

    private func columnStart(_ c: Int) -> Double { model.start + Double(c) * columnWidth }

    /// Each column shows `#` if the task ran in it at all, else what it did longest there.
    private func cells(for spans: [ActivitySpan]) -> [Character] {
        var time = [[Double]](repeating: Array(repeating: 0, count: TaskActivity.allCases.count), count: width)
        var ran = [Bool](repeating: false, count: width)
        for span in spans {
            if span.duration <= 0 {
                if span.activity == .running { ran[column(of: span.start)] = true }
                continue
            }
            for c in column(of: span.start)...column(of: span.end) {
                let overlap = min(span.end, columnStart(c + 1)) - max(span.start, columnStart(c))
                guard overlap > 0 else { continue }
                time[c][span.activity.rawValue] += overlap
                if span.activity == .running { ran[c] = true }
            }
        }
        return (0..<width).map { ran[$0] ? TaskActivity.running.symbol : dominant(time[$0]) }
    }

    /// The waiting state that filled most of a column (blocked first on ties), or blank.
    private func dominant(_ time: [Double]) -> Character {
        let waits: [TaskActivity] = [.blocked, .network, .ready, .sleeping]
        guard let best = waits.max(by: { time[$0.rawValue] < time[$1.rawValue] }),
            time[best.rawValue] > 0
        else { return " " }
        let top = waits.first { time[$0.rawValue] == time[best.rawValue] } ?? best
        return top.symbol
    }

    /// On the real clock the CPU row shows how busy each column was, so that a stretch of
    /// short turns between long waits (a task fetching one URL after another) reads as mostly
    /// idle; on the virtual clock, where turns take no time, it marks the columns with a turn.
    private var measuresBusyTime: Bool { model.utilisation != nil }

    private func cpuCells() -> [Character] {
        guard measuresBusyTime else { return cells(for: model.busy).map { $0 == TaskActivity.running.symbol ? "#" : " " } }
        var busy = [Double](repeating: 0, count: width)
        var ran = [Bool](repeating: false, count: width)
        for span in model.busy {
            ran[column(of: span.start)] = true
            guard span.duration > 0 else { continue }
            for c in column(of: span.start)...column(of: span.end) {
                busy[c] += max(0, min(span.end, columnStart(c + 1)) - max(span.start, columnStart(c)))
            }
        }
        return (0..<width).map { c in
            let share = busy[c] / columnWidth + 1e-9  // a half that rounding made 0.4999…
            if share >= 0.5 { return "#" }
            if share >= 0.1 { return "+" }
            return ran[c] || busy[c] > 0 ? "." : " "
        }
    }

    private var ticks: AxisTicks { AxisTicks(start: model.start, end: model.end, about: 6) }

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
