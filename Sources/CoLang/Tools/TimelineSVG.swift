// The timeline as an SVG Gantt chart: coloured bars per task, a CPU row, a time axis and a legend.
import FoundationEssentials
import Glibc

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

    private func style(_ activity: TaskActivity) -> (fill: String, share: Double) {
        let entry = Self.palette.first { $0.0 == activity } ?? Self.palette[0]
        return (entry.fill, entry.share)
    }

    /// The narrowest running mark: wide on the virtual clock, where every turn is an instant;
    /// a hairline on the real clock, so that thousands of short turns do not look like busy time.
    private var markWidth: Double { model.clock == .virtual ? 3 : 1.2 }

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
        svg.text(
            clipped(row.name), x: left - 8, y: top + rowHeight / 2 + size * 0.36, size: size,
            anchor: "end", fill: "#1a202c", family: SVGWriter.mono)
        let order: [TaskActivity] = [.sleeping, .ready, .blocked, .network, .running]
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
    private func drawBars(
        _ spans: [ActivitySpan], activity: TaskActivity, top: Double, name: String,
        on svg: inout SVGWriter
    ) {
        let (fill, share) = style(activity)
        let h = rowHeight * share
        for bar in PixelBars(
            spans: spans, x: x, minimumWidth: activity == .running ? markWidth : 0.01,
            bounds: left...(left + plotWidth))
        {
            let tip = "\(name): \(activity) \(bar.describe(model.axis))"
            svg.rect(
                x: bar.x0, y: top + (rowHeight - h) / 2, width: bar.x1 - bar.x0, height: h,
                fill: fill, tooltip: tip)
        }
    }

    private func drawCPU(_ svg: inout SVGWriter) {
        svg.rect(x: left, y: cpuTop, width: plotWidth, height: cpuHeight, fill: "#e5e7eb")
        for bar in PixelBars(spans: model.busy, x: x, minimumWidth: markWidth, bounds: left...(left + plotWidth)) {
            svg.rect(
                x: bar.x0, y: cpuTop, width: bar.x1 - bar.x0, height: cpuHeight, fill: "#1e3a8a",
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
            svg.text(
                ticks.label(value, axis: model.axis), x: x(value), y: axisY + 20, size: 12,
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
            var text = CFormat.string("%.4g–%.4g", start, end) + unit
            if count > 1 { text += ", \(count) spans" } else if let detail { text += " (\(detail))" }
            return text
        }
    }

    private var bars: [Bar] = []

    /// `bounds` keeps widened marks inside the plot.
    init(spans: [ActivitySpan], x: (Double) -> Double, minimumWidth: Double, bounds: ClosedRange<Double>) {
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

    mutating func open(width: Double, height: Double) {
        output += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        output +=
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
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

    mutating func text(
        _ content: String, x: Double, y: Double, size: Double, weight: String = "normal",
        anchor: String = "start", fill: String, family: String? = nil
    ) {
        let font = family.map { " font-family=\"\($0)\"" } ?? ""
        output +=
            "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" font-weight=\"\(weight)\" "
            + "text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(font)>\(Self.escape(content))</text>\n"
    }

    private func n(_ value: Double) -> String { CFormat.string("%.2f", value) }

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
