// The timeline as an SVG Gantt chart: coloured bars per task, a CPU row, a time axis and a legend.
import FoundationEssentials
import Glibc

/// The same chart as an SVG image: coloured bars per task, a CPU row, a bar row per coroutine, a
/// time axis and a legend.
struct SVGTimeline {
    let model: TimelineModel
    let title: String
    /// Where the plot starts: room for the longest row name (worked out once: every bar uses it).
    private let left: Double

    init(model: TimelineModel, title: String) {
        self.model = model
        self.title = title
        var longest = 3
        for row in model.rows { longest = max(longest, row.name.count) }
        for row in model.coroutineRows { longest = max(longest, row.name.count) }
        left = max(80, Double(min(24, longest)) * 7.2 + 28)
    }

    private let width = 960.0
    private let right = 28.0
    private var plotWidth: Double { width - left - right }
    private var rowCount: Int { model.rows.count + model.coroutineRows.count }
    private var rowHeight: Double { rowCount > 30 ? 14 : 24 }
    private var hasCoroutines: Bool { !model.coroutineRows.isEmpty }
    private var plotTop: Double { hasCoroutines ? 124 : 104 }
    private var rowsBottom: Double { plotTop + Double(model.rows.count) * rowHeight }
    private var cpuTop: Double { rowsBottom + 12 }
    private let cpuHeight = 30.0
    private var coroutinesTop: Double { cpuTop + cpuHeight + 28 }
    private var plotBottom: Double {
        hasCoroutines ? coroutinesTop + Double(model.coroutineRows.count) * rowHeight : cpuTop + cpuHeight
    }
    private var axisY: Double { plotBottom + 6 }
    private var height: Double { axisY + 84 }

    func render() -> String {
        var svg = SVGWriter()
        svg.open(
            width: width, height: height,
            data: [
                ("x0", SVGWriter.number(left)), ("x1", SVGWriter.number(left + plotWidth)),
                ("t0", SVGWriter.exact(model.start)), ("t1", SVGWriter.exact(model.end)),
                ("axis", model.axis == .seconds ? "seconds" : "events"),
            ])
        svg.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        drawHeader(&svg)
        drawLegend(&svg)
        drawRowBackgrounds(&svg)
        drawGrid(&svg)
        for (index, row) in model.rows.enumerated() {
            drawRow(row, top: plotTop + Double(index) * rowHeight, palette: Self.palette, on: &svg)
        }
        drawCPU(&svg)
        if hasCoroutines {
            svg.text(
                "coroutines", x: left - 8, y: coroutinesTop - 8, size: 13, weight: "bold", anchor: "end",
                fill: "#1a202c")
            for (index, row) in model.coroutineRows.enumerated() {
                drawRow(row, top: coroutinesTop + Double(index) * rowHeight, palette: Self.coroutinePalette, on: &svg)
            }
        }
        drawAxis(&svg)
        for (index, line) in TimelineWording.utilisation(model).enumerated() {
            svg.text(line, x: 16, y: axisY + 64 + Double(index) * 16, size: 12, fill: "#4a5568")
        }
        svg.close()
        return svg.output
    }

    // Colours, and how much of a row's height each activity's bar fills.
    static let palette: [(TaskActivity, fill: String, share: Double)] = [
        (.running, "#2563eb", 0.80), (.ready, "#f59e0b", 0.46), (.sleeping, "#a5b4c8", 0.26),
        (.blocked, "#e05252", 0.46), (.network, "#0d9488", 0.46),
    ]

    static let coroutinePalette: [(CoroutineActivity, fill: String, share: Double)] = [
        (.running, "#2563eb", 0.80), (.normal, "#8b5cf6", 0.46), (.suspended, "#a5b4c8", 0.26),
    ]

    /// The width of a turn that took no time (the virtual clock): a thin line, so that many turns
    /// between long waits still read as waiting.
    private let markWidth = 1.5

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
        var y = 80.0
        for (activity, fill, share) in Self.palette {
            at = legendEntry("\(activity)", fill: fill, share: share, at: at, y: y, on: &svg)
        }
        svg.rect(x: at, y: y - 14, width: 22, height: 16, fill: "#e5e7eb")
        svg.rect(x: at + 8, y: y - 14, width: 6, height: 16, fill: "#1e3a8a")
        let cpu = model.clock == .virtual && model.axis == .seconds ? "CPU: a turn (mark) / idle" : "CPU: busy (dark) / idle"
        svg.text(cpu, x: at + 28, y: y, size: 12.5, fill: "#2d3748")
        guard hasCoroutines else { return }
        at = 16
        y = 102
        svg.text("coroutines:", x: at, y: y, size: 12.5, weight: "bold", fill: "#2d3748")
        at += 84
        for (activity, fill, share) in Self.coroutinePalette {
            let words = activity == .normal ? "normal (resumed another)" : "\(activity)"
            at = legendEntry(words, fill: fill, share: share, at: at, y: y, on: &svg)
        }
    }

    /// One legend swatch and its words; returns where the next one starts.
    private func legendEntry(
        _ words: String, fill: String, share: Double, at: Double, y: Double, on svg: inout SVGWriter
    ) -> Double {
        let h = 16 * share
        svg.rect(x: at, y: y - 6 - h / 2, width: 22, height: h, fill: fill)
        svg.text(words, x: at + 28, y: y, size: 12.5, fill: "#2d3748")
        return at + 40 + Double(words.count) * 7.4
    }

    private func drawRowBackgrounds(_ svg: inout SVGWriter) {
        for index in model.rows.indices where index % 2 == 0 {
            let y = plotTop + Double(index) * rowHeight
            svg.rect(x: left, y: y, width: plotWidth, height: rowHeight, fill: "#f5f7fa")
        }
        for index in model.coroutineRows.indices where index % 2 == 0 {
            let y = coroutinesTop + Double(index) * rowHeight
            svg.rect(x: left, y: y, width: plotWidth, height: rowHeight, fill: "#f5f7fa")
        }
    }

    private func drawGrid(_ svg: inout SVGWriter) {
        for value in ticks.values {
            svg.line(x1: x(value), y1: plotTop, x2: x(value), y2: axisY, stroke: "#dde3ea")
        }
        svg.line(x1: left, y1: plotTop, x2: left, y2: axisY, stroke: "#a0aec0")
    }

    /// The chart area cut into pixel columns: each shows what a row did for most of its time,
    /// as the text chart's columns do.
    private var sampler: ColumnSampler {
        ColumnSampler(start: model.start, duration: model.duration, count: max(1, Int(plotWidth.rounded())))
    }

    /// A row's label and bars: a bar per stretch of pixel columns showing the same state, then
    /// a thin mark for each turn that took no time (the virtual clock), so that it stays visible.
    private func drawRow<State: ChartState>(
        _ row: ChartRow<State>, top: Double, palette: [(State, fill: String, share: Double)],
        on svg: inout SVGWriter
    ) {
        let size = min(12.5, rowHeight * 0.62)
        svg.text(
            clipped(row.name), x: left - 8, y: top + rowHeight / 2 + size * 0.36, size: size,
            anchor: "end", fill: "#1a202c", family: SVGWriter.mono)
        let sampler = self.sampler
        let columns = sampler.states(of: row.spans)
        let step = plotWidth / Double(sampler.count)
        var first = 0
        while first < columns.count {
            var last = first
            while last + 1 < columns.count && columns[last + 1] == columns[first] { last += 1 }
            if let state = columns[first], let style = palette.first(where: { $0.0 == state }) {
                let h = rowHeight * style.share
                let (t0, t1) = (sampler.columnStart(first), sampler.columnStart(last + 1))
                svg.rect(
                    x: left + Double(first) * step, y: top + (rowHeight - h) / 2,
                    width: Double(last - first + 1) * step, height: h, fill: style.fill,
                    tooltip: "\(row.name): \(state) \(Self.range(t0, t1, model.axis))")
            }
            first = last + 1
        }
        guard let running = palette.first else { return }
        let instants = row.spans.filter { $0.activity == running.0 && $0.duration <= 0 }
        for bar in PixelBars(spans: instants, x: x, minimumWidth: markWidth, bounds: left...(left + plotWidth)) {
            let h = rowHeight * running.share
            svg.rect(
                x: bar.x0, y: top + (rowHeight - h) / 2, width: bar.x1 - bar.x0, height: h, fill: running.fill,
                tooltip: "\(row.name): \(running.0) \(bar.describe(model.axis))")
        }
    }

    /// `1.25–1.5 s`, or `3–7 (events)`.
    private static func range(_ t0: Double, _ t1: Double, _ axis: TimelineAxis) -> String {
        CFormat.string("%.4g–%.4g", t0, t1) + (axis == .seconds ? " s" : " (events)")
    }

    private func clipped(_ name: String) -> String {
        name.count > 24 ? String(name.prefix(23)) + "…" : name
    }

    /// The CPU row: on the real clock each pixel column as dark as the CPU was busy there; on the
    /// virtual clock a thin mark at each turn; on the event axis, dark where some task ran.
    private func drawCPU(_ svg: inout SVGWriter) {
        svg.rect(x: left, y: cpuTop, width: plotWidth, height: cpuHeight, fill: "#e5e7eb")
        let sampler = self.sampler
        let step = plotWidth / Double(sampler.count)
        let (share, ran) = sampler.busy(model.busy)
        let instants = model.clock == .virtual && model.axis == .seconds
        // Tenths of busyness per column (0: idle), drawn as runs of equal darkness.
        let levels = (0..<sampler.count).map { c -> Int in
            if instants { return 0 }
            if model.utilisation == nil { return ran[c] ? 10 : 0 }
            return Int((min(1, share[c]) * 10).rounded(.up))
        }
        var first = 0
        while first < levels.count {
            var last = first
            while last + 1 < levels.count && levels[last + 1] == levels[first] { last += 1 }
            if levels[first] > 0 {
                let busy = model.utilisation == nil ? "" : " (busy \(levels[first] * 10)% of it at most)"
                svg.rect(
                    x: left + Double(first) * step, y: cpuTop, width: Double(last - first + 1) * step,
                    height: cpuHeight, fill: "#1e3a8a", opacity: Double(levels[first]) / 10,
                    tooltip: "CPU \(Self.range(sampler.columnStart(first), sampler.columnStart(last + 1), model.axis))\(busy)")
            }
            first = last + 1
        }
        if instants {
            for bar in PixelBars(spans: model.busy, x: x, minimumWidth: markWidth, bounds: left...(left + plotWidth)) {
                svg.rect(
                    x: bar.x0, y: cpuTop, width: bar.x1 - bar.x0, height: cpuHeight, fill: "#1e3a8a",
                    tooltip: "a turn at \(bar.describe(model.axis))")
            }
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
            svg.text(
                ticks.label(value, axis: model.axis), x: x(value), y: axisY + 20, size: 12,
                anchor: "middle", fill: "#2d3748")
        }
        let name = model.axis == .seconds ? "time (\(model.clock.rawValue) clock)" : model.eventWords
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
            var text = CFormat.string("%.4g–%.4g", start, end) + unit
            if count > 1 { text += ", \(count) spans" } else if let detail { text += " (\(detail))" }
            return text
        }
    }

    private var bars: [Bar] = []

    /// `bounds` keeps widened marks inside the plot.
    init<State>(spans: [Span<State>], x: (Double) -> Double, minimumWidth: Double, bounds: ClosedRange<Double>) {
        for span in spans {
            var x0 = x(span.start), x1 = x(span.end)
            if x1 - x0 < minimumWidth {
                let middle = Swift.min(
                    Swift.max((x0 + x1) / 2, bounds.lowerBound + minimumWidth / 2),
                    bounds.upperBound - minimumWidth / 2)
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

    /// Opens the document; `data` become `data-NAME` attributes of the root element.
    mutating func open(width: Double, height: Double, data: [(String, String)] = []) {
        output += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let attributes = data.map { " data-\($0.0)=\"\(Self.escape($0.1))\"" }.joined()
        output +=
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
            + "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"\(Self.sans)\"\(attributes)>\n"
    }

    /// A coordinate as the elements write it (two decimals).
    static func number(_ value: Double) -> String { CFormat.string("%.2f", value) }

    /// A value with all its precision (an axis end in seconds may be microseconds).
    static func exact(_ value: Double) -> String { CFormat.string("%.9g", value) }

    mutating func close() { output += "</svg>\n" }

    mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, opacity: Double = 1,
        tooltip: String? = nil
    ) {
        var attributes = "x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(fill)\""
        if opacity < 1 { attributes += " fill-opacity=\"\(n(opacity))\"" }
        if let tooltip {
            output += "<rect \(attributes)><title>\(Self.escape(tooltip))</title></rect>\n"
        } else {
            output += "<rect \(attributes)/>\n"
        }
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String) {
        output += "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"1\"/>\n"
    }

    mutating func text(
        _ content: String, x: Double, y: Double, size: Double, weight: String = "normal",
        anchor: String = "start", fill: String, family: String? = nil
    ) {
        let font = family.map { " font-family=\"\($0)\"" } ?? ""
        output +=
            "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" font-weight=\"\(weight)\" "
            + "text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(font)>\(Self.escape(content))</text>\n"
    }

    private func n(_ value: Double) -> String { Self.number(value) }

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
