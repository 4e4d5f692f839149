// Timelines: per-task spans built from scheduler events, drawn as a text chart or an SVG Gantt chart.
import Foundation

/// What a task is doing during one span of a timeline.
enum TaskActivity: Int, CaseIterable {
    case running, ready, sleeping, blocked

    /// The text chart's character for it.
    var symbol: Character {
        switch self {
        case .running: return "#"
        case .ready: return "-"
        case .sleeping: return "."
        case .blocked: return "x"
        }
    }

    /// The state a task enters with an event, `nil` when the event ends it.
    static func after(_ kind: SchedulerEvent.Kind) -> TaskActivity? {
        switch kind {
        case .spawn, .wake, .yield: return .ready
        case .resume: return .running
        case .sleep: return .sleeping
        case .block: return .blocked
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
        let first = events.first?.time ?? now
        let last = max(events.last?.time ?? now, now)
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
        if let next = TaskActivity.after(event.kind) {
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
        let decimals = step >= 1 ? 0 : Int(ceil(-log10(step) - 1e-9))
        return String(format: "%.\(decimals)f", value) + "s"
    }
}

/// Sentences about the CPU that both charts print.
enum TimelineWording {
    static func seconds(_ value: Double) -> String {
        if value == 0 { return "0 s" }
        if value < 0.001 { return String(format: "%.0f µs", value * 1e6) }
        if value < 1 { return String(format: "%.1f ms", value * 1e3) }
        return String(format: "%.2f s", value)
    }

    /// `42.0%` for a real run; `nil` when utilisation is not measurable.
    static func percent(_ model: TimelineModel) -> String? {
        model.utilisation.map { String(format: "%.1f%%", $0 * 100) }
    }

    /// One line saying how busy the CPU was, or why that cannot be measured.
    static func utilisation(_ model: TimelineModel) -> String {
        let turns = model.busy.count
        if model.axis == .events {
            return "The clock never moved (nobody slept), so the axis counts scheduler events, "
                + "not seconds; CPU utilisation is not measurable here (\(turns) turns ran)."
        }
        if let percent = percent(model) {
            return "CPU busy \(seconds(model.busySeconds)) of \(seconds(model.duration)): "
                + "\(percent) utilisation (\(turns) turns ran)."
        }
        return "On the virtual clock running takes no time, so CPU utilisation is not measurable: "
            + "marks show the \(turns) instants a task ran (--clock real measures it)."
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
        let labels = pad("", nameWidth) + "  " + axisLabels()
        let border = pad("", nameWidth) + " +" + axisBorder() + "+"
        var lines = ["timeline: " + TimelineWording.heading(model) + columnNote(), labels, border]
        for row in model.rows {
            lines.append(pad(row.name, nameWidth) + " |" + String(cells(for: row.spans)) + "|")
        }
        lines += [border, pad("CPU", nameWidth) + " |" + String(cpuCells()) + "|", border, labels]
        lines += legend()
        return lines.joined(separator: "\n") + "\n"
    }

    private func columnNote() -> String {
        let unit = model.axis == .seconds ? TimelineWording.seconds(columnWidth) : "\(fmt(columnWidth)) events"
        return " (one column = \(unit))"
    }

    private func legend() -> [String] {
        let states = TaskActivity.allCases.map { "\($0.symbol) \($0)" }.joined(separator: "   ")
        return ["legend: \(states)   (blank: not spawned yet, or over)",
                "CPU:    # some task ran in that column   (blank: idle)",
                TimelineWording.utilisation(model)]
    }

    private var columnWidth: Double { max(model.duration, 1e-12) / Double(width) }

    private func fmt(_ value: Double) -> String { String(format: "%g", value) }

    private func column(of time: Double) -> Int {
        guard model.duration > 0 else { return 0 }
        let c = Int(((time - model.start) / model.duration * Double(width)).rounded(.down))
        return min(width - 1, max(0, c))
    }

    private func columnStart(_ c: Int) -> Double { model.start + Double(c) * columnWidth }

    /// Each column shows `#` if the task ran in it at all, else what it did longest there.
    private func cells(for spans: [ActivitySpan]) -> [Character] {
        var time = [[Double]](repeating: [0, 0, 0, 0], count: width)
        var ran = [Bool](repeating: false, count: width)
        for span in spans {
            if span.duration <= 0 {
                if span.activity == .running { ran[column(of: span.start)] = true }
                continue
            }
            for c in column(of: span.start)...column(of: span.end) {
                let overlap = min(span.end, columnStart(c + 1)) - max(span.start, columnStart(c))
                guard overlap > 0 || model.duration <= 0 else { continue }
                time[c][span.activity.rawValue] += overlap
                if span.activity == .running { ran[c] = true }
            }
        }
        return (0..<width).map { ran[$0] ? TaskActivity.running.symbol : dominant(time[$0]) }
    }

    /// The waiting state that filled most of a column (blocked first on ties), or blank.
    private func dominant(_ time: [Double]) -> Character {
        let waits: [TaskActivity] = [.blocked, .ready, .sleeping]
        guard let best = waits.max(by: { time[$0.rawValue] < time[$1.rawValue] }),
              time[best.rawValue] > 0 else { return " " }
        let top = waits.first { time[$0.rawValue] == time[best.rawValue] } ?? best
        return top.symbol
    }

    private func cpuCells() -> [Character] {
        cells(for: model.busy).map { $0 == TaskActivity.running.symbol ? "#" : " " }
    }

    private var ticks: AxisTicks { AxisTicks(start: model.start, end: model.end, about: 6) }

    private func axisBorder() -> String {
        var line = [Character](repeating: "-", count: width)
        for value in ticks.values { line[column(of: value)] = "+" }
        return String(line)
    }

    /// Tick labels starting at their tick's column, skipped where they would collide.
    private func axisLabels() -> String {
        var line = [Character](repeating: " ", count: width + 8)
        var free = 0
        for value in ticks.values {
            let text = Array(ticks.label(value, axis: model.axis))
            let at = column(of: value)
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

// MARK: - The SVG Gantt chart

/// The same chart as an SVG image: coloured bars per task, a CPU row, a time axis and a legend.
struct SVGTimeline {
    let model: TimelineModel
    let title: String

    private let width = 960.0
    private let right = 28.0
    private var left: Double { max(80, Double(min(24, maxNameLength)) * 7.2 + 28) }
    private var maxNameLength: Int { model.rows.map(\.name.count).max() ?? 3 }
    private var plotWidth: Double { width - left - right }
    private var rowHeight: Double { model.rows.count > 30 ? 14 : 24 }
    private let plotTop = 104.0
    private var rowsBottom: Double { plotTop + Double(model.rows.count) * rowHeight }
    private var cpuTop: Double { rowsBottom + 12 }
    private let cpuHeight = 30.0
    private var axisY: Double { cpuTop + cpuHeight + 6 }
    private var height: Double { axisY + 84 }

    func render() -> String {
        var svg = SVGWriter()
        svg.open(width: width, height: height)
        svg.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        drawHeader(&svg)
        drawLegend(&svg)
        drawRowBackgrounds(&svg)
        drawGrid(&svg)
        for (index, row) in model.rows.enumerated() { drawRow(row, index: index, on: &svg) }
        drawCPU(&svg)
        drawAxis(&svg)
        svg.text(TimelineWording.utilisation(model), x: 16, y: height - 14, size: 11.5, fill: "#4a5568")
        svg.close()
        return svg.output
    }

    // Colours, and how much of a row's height each activity's bar fills.
    static let palette: [(TaskActivity, fill: String, share: Double)] = [
        (.running, "#2563eb", 0.80), (.ready, "#f59e0b", 0.46), (.sleeping, "#a5b4c8", 0.26),
        (.blocked, "#e05252", 0.46),
    ]

    private func style(_ activity: TaskActivity) -> (fill: String, share: Double) {
        let entry = Self.palette.first { $0.0 == activity } ?? Self.palette[0]
        return (entry.fill, entry.share)
    }

    private func x(_ time: Double) -> Double {
        guard model.duration > 0 else { return left }
        return left + (time - model.start) / model.duration * plotWidth
    }

    private func drawHeader(_ svg: inout SVGWriter) {
        svg.text(title, x: 16, y: 30, size: 18, weight: "bold", fill: "#1a202c")
        var subtitle = TimelineWording.heading(model)
        if let percent = TimelineWording.percent(model) { subtitle += " · CPU utilisation \(percent)" }
        svg.text(subtitle, x: 16, y: 52, size: 13, fill: "#4a5568")
    }

    private func drawLegend(_ svg: inout SVGWriter) {
        var at = 16.0
        let y = 80.0
        for (activity, fill, share) in Self.palette {
            let h = 16 * share
            svg.rect(x: at, y: y - 6 - h / 2, width: 22, height: h, fill: fill)
            svg.text("\(activity)", x: at + 28, y: y, size: 12.5, fill: "#2d3748")
            at += 40 + Double("\(activity)".count) * 7.4
        }
        svg.rect(x: at, y: y - 14, width: 22, height: 16, fill: "#e5e7eb")
        svg.rect(x: at + 8, y: y - 14, width: 6, height: 16, fill: "#1e3a8a")
        svg.text("CPU: busy (dark) / idle (grey)", x: at + 28, y: y, size: 12.5, fill: "#2d3748")
    }

    private func drawRowBackgrounds(_ svg: inout SVGWriter) {
        for index in model.rows.indices where index % 2 == 0 {
            let y = plotTop + Double(index) * rowHeight
            svg.rect(x: left, y: y, width: plotWidth, height: rowHeight, fill: "#f5f7fa")
        }
    }

    private func drawGrid(_ svg: inout SVGWriter) {
        for value in ticks.values {
            svg.line(x1: x(value), y1: plotTop, x2: x(value), y2: axisY, stroke: "#dde3ea")
        }
        svg.line(x1: left, y1: plotTop, x2: left, y2: axisY, stroke: "#a0aec0")
    }

    private func drawRow(_ row: TimelineRow, index: Int, on svg: inout SVGWriter) {
        let top = plotTop + Double(index) * rowHeight
        let size = min(12.5, rowHeight * 0.62)
        svg.text(clipped(row.name), x: left - 8, y: top + rowHeight / 2 + size * 0.36, size: size,
                 anchor: "end", fill: "#1a202c", family: SVGWriter.mono)
        let order: [TaskActivity] = [.sleeping, .ready, .blocked, .running]
        for activity in order {
            let spans = row.spans.filter { $0.activity == activity }
            drawBars(spans, activity: activity, top: top, name: row.name, on: &svg)
        }
    }

    private func clipped(_ name: String) -> String {
        name.count > 24 ? String(name.prefix(23)) + "…" : name
    }

    /// Bars for one activity of one row; spans closer than half a pixel merge, and zero-width
    /// running instants (the virtual clock) still get a visible mark.
    private func drawBars(_ spans: [ActivitySpan], activity: TaskActivity, top: Double, name: String,
                          on svg: inout SVGWriter) {
        let (fill, share) = style(activity)
        let h = rowHeight * share
        for bar in PixelBars(spans: spans, x: x, minimumWidth: activity == .running ? 2 : 0.01) {
            let tip = "\(name): \(activity) \(bar.describe(model.axis))"
            svg.rect(x: bar.x0, y: top + (rowHeight - h) / 2, width: bar.x1 - bar.x0, height: h,
                     fill: fill, tooltip: tip)
        }
    }

    private func drawCPU(_ svg: inout SVGWriter) {
        svg.rect(x: left, y: cpuTop, width: plotWidth, height: cpuHeight, fill: "#e5e7eb")
        for bar in PixelBars(spans: model.busy, x: x, minimumWidth: 2) {
            svg.rect(x: bar.x0, y: cpuTop, width: bar.x1 - bar.x0, height: cpuHeight, fill: "#1e3a8a",
                     tooltip: "CPU busy \(bar.describe(model.axis))")
        }
        svg.text("CPU", x: left - 8, y: cpuTop + 13, size: 13, weight: "bold", anchor: "end", fill: "#1a202c")
        let note = TimelineWording.percent(model) ?? "n/a"
        svg.text(note, x: left - 8, y: cpuTop + 26, size: 10.5, anchor: "end", fill: "#4a5568")
    }

    private var ticks: AxisTicks { AxisTicks(start: model.start, end: model.end, about: 8) }

    private func drawAxis(_ svg: inout SVGWriter) {
        svg.line(x1: left, y1: axisY, x2: left + plotWidth, y2: axisY, stroke: "#4a5568")
        for value in ticks.values {
            svg.line(x1: x(value), y1: axisY, x2: x(value), y2: axisY + 6, stroke: "#4a5568")
            svg.text(ticks.label(value, axis: model.axis), x: x(value), y: axisY + 20, size: 12,
                     anchor: "middle", fill: "#2d3748")
        }
        let name = model.axis == .seconds ? "time (\(model.clock.rawValue) clock)" : "scheduler events"
        svg.text(name, x: left + plotWidth / 2, y: axisY + 40, size: 12.5, anchor: "middle", fill: "#4a5568")
    }
}

/// Spans turned into pixel intervals, merging those that touch, each at least `minimumWidth` wide.
struct PixelBars: Sequence {
    struct Bar {
        var x0: Double, x1: Double
        var start: Double, end: Double
        var count: Int
        var detail: String?

        func describe(_ axis: TimelineAxis) -> String {
            let unit = axis == .seconds ? " s" : " (events)"
            var text = String(format: "%.4g–%.4g", start, end) + unit
            if count > 1 { text += ", \(count) spans" } else if let detail { text += " (\(detail))" }
            return text
        }
    }

    private var bars: [Bar] = []

    init(spans: [ActivitySpan], x: (Double) -> Double, minimumWidth: Double) {
        for span in spans {
            var x0 = x(span.start), x1 = x(span.end)
            if x1 - x0 < minimumWidth {
                let middle = (x0 + x1) / 2
                x0 = middle - minimumWidth / 2
                x1 = middle + minimumWidth / 2
            }
            if var last = bars.last, x0 <= last.x1 + 0.5 {
                last.x1 = Swift.max(last.x1, x1)
                last.end = span.end
                last.count += 1
                bars[bars.count - 1] = last
            } else {
                bars.append(Bar(x0: x0, x1: x1, start: span.start, end: span.end, count: 1, detail: span.detail))
            }
        }
    }

    func makeIterator() -> IndexingIterator<[Bar]> { bars.makeIterator() }
}

/// A tiny SVG writer: elements as text lines, attributes escaped.
struct SVGWriter {
    static let sans = "DejaVu Sans, Helvetica, Arial, sans-serif"
    static let mono = "DejaVu Sans Mono, Menlo, Consolas, monospace"
    private(set) var output = ""

    mutating func open(width: Double, height: Double) {
        output += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        output += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
            + "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"\(Self.sans)\">\n"
    }

    mutating func close() { output += "</svg>\n" }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, tooltip: String? = nil) {
        let attributes = "x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(fill)\""
        if let tooltip {
            output += "<rect \(attributes)><title>\(Self.escape(tooltip))</title></rect>\n"
        } else {
            output += "<rect \(attributes)/>\n"
        }
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String) {
        output += "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"1\"/>\n"
    }

    mutating func text(_ content: String, x: Double, y: Double, size: Double, weight: String = "normal",
                       anchor: String = "start", fill: String, family: String? = nil) {
        let font = family.map { " font-family=\"\($0)\"" } ?? ""
        output += "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" font-weight=\"\(weight)\" "
            + "text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(font)>\(Self.escape(content))</text>\n"
    }

    private func n(_ value: Double) -> String { String(format: "%.2f", value) }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                // XML 1.0 forbids most control characters, even escaped.
                let isControl = c.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" && $0 != "\n" }
                out += isControl ? "?" : String(c)
            }
        }
        return out
    }
}
