// The teaching tools: text and SVG timelines of scheduler events, and the schedule explorer.
import Foundation
import Testing
#if canImport(FoundationXML)
    import FoundationXML
#endif
@testable import CoLang

/// Runs CoLang source in one interpreter, recording scheduler events, output captured.
private final class RecordedRun {
    var stdout = ""
    var stderr = ""
    let interpreter: Interpreter
    let status: Int32

    init(_ source: String, clock: ClockKind = .virtual) {
        var options = RunOptions()
        options.clock = clock
        let box = OutputBox()
        interpreter = Interpreter(
            options: options, stdout: { box.out += $0 }, stderr: { box.err += $0 },
            stdin: { nil })
        interpreter.recordsSchedulerEvents = true
        status = interpreter.runScript(source: source, file: "test.co")
        interpreter.flush()
        stdout = box.out
        stderr = box.err
    }
}

private final class OutputBox {
    var out = ""
    var err = ""
}

private enum Examples {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func source(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("examples/\(name)"), encoding: .utf8)
    }

    static var virtualClock: RunOptions {
        var options = RunOptions()
        options.clock = .virtual
        return options
    }
}

private let cooks = """
    fn cook(name, seconds) {
      sleep(seconds)
      return name
    }
    let a = spawn cook("a", 2)
    let b = spawn cook("b", 1)
    print(a.join(), b.join())
    """

@Suite("teaching tools")
struct ToolsTests {
    // MARK: - Text timeline

    // MARK: - The event stream

    /// Recorded events carry ids and sites, not only words: the task a join waits for, the
    /// channel a receive blocks on, the task that woke it, and where the program was.
    @Test func recordedEventsNameTheTasksChannelsAndSitesInvolved() {
        let run = RecordedRun(
            """
            let ch = channel()
            fn producer() {
              sleep(1)
              ch.send("x")
            }
            let p = spawn producer()
            print(ch.recv())
            p.join()
            """)
        #expect(run.stdout == "x\n")
        let events = run.interpreter.schedulerEvents
        let kinds = events.map { "\($0.kind.rawValue) \($0.taskName)" }
        #expect(
            kinds == [
                "spawn main", "resume main", "spawn producer#2", "block main", "resume producer#2",
                "sleep producer#2", "wake producer#2", "resume producer#2", "wake main", "finish producer#2",
                "resume main", "finish main",
            ], "\(kinds)")
        let spawn = events[2], block = events[3], sleep = events[5], wake = events[8]
        #expect(spawn.otherTaskId == 1 && spawn.site == "test.co:6", "\(spawn)")
        #expect(block.channelId == 1 && block.detail == "recv on channel #1" && block.site == "test.co:7", "\(block)")
        #expect(sleep.detail == "until 1.0" && sleep.site == "test.co:3", "\(sleep)")
        #expect(wake.otherTaskId == 2 && wake.detail == "by producer#2" && wake.time == 1.0, "\(wake)")
    }

    @Test func textTimelineOfAVirtualClockRun() {
        let run = RecordedRun(cooks)
        #expect(run.status == 0)
        #expect(run.stdout == "a b\n")
        let expected = """
            timeline: 3 tasks, 2 s on the virtual clock (one column = 33.3 ms)
                    |0s            |0.5s          |1.0s          |1.5s          |2.0s
                   +------------------------------------------------------------+
            main   |#xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx#|
            cook#2 |#..........................................................#|
            cook#3 |#.............................#                             |
                   +------------------------------------------------------------+
            CPU    |#                             #                            #|
                   +------------------------------------------------------------+
                    |0s            |0.5s          |1.0s          |1.5s          |2.0s
            legend: # running   - ready   . sleeping   x blocked   ~ network   (blank: not spawned yet, or over)
            CPU:    # some task ran in that column   (blank: idle)
            CPU utilisation: not measurable on the virtual clock, where running takes no time;
            each mark is an instant when a task ran (6 turns ran; --clock real measures it).

            """
        #expect(run.interpreter.timelineText() == expected)
    }

    @Test func aRunWhereTheClockNeverMovedCountsEventsInstead() {
        let run = RecordedRun(
            """
            fn f() { yield }
            let t = spawn f()
            t.join()
            """)
        let text = run.interpreter.timelineText(width: 20)
        #expect(text.hasPrefix("timeline: 2 tasks, "))
        #expect(text.contains("scheduler events"))
        #expect(text.contains("the clock never moved"))
        // Every running turn is still visible: `f` ran twice (before and after its yield).
        let row = text.split(separator: "\n").first { $0.hasPrefix("f#2") }
        #expect(row.map { $0.split(separator: "#", omittingEmptySubsequences: true).count } ?? 0 >= 3)
    }

    @Test func noEventsSaysSo() {
        let interpreter = Interpreter(options: Examples.virtualClock)
        #expect(interpreter.timelineText() == "timeline: no scheduler events were recorded\n")
    }

    @Test func utilisationOnTheRealClockIsBusyOverElapsedTime() {
        let events: [(Double, SchedulerEvent.Kind)] = [
            (0, .spawn), (0, .resume), (1, .sleep), (3, .wake), (3, .resume), (4, .finish),
        ]
        let timeline = Timeline(
            events: events.map { SchedulerEvent(time: $0.0, taskId: 1, taskName: "main", kind: $0.1, detail: nil) },
            now: 4, clock: .real)
        #expect(timeline.taskCount == 1)
        #expect(timeline.utilisation == 0.5)
        let text = timeline.text(width: 10)
        #expect(text.contains("main |###....###|"))
        #expect(text.contains("CPU  |###    ###|"))
        #expect(text.contains("      |0s  |2s  |4s"))
        #expect(text.contains("CPU utilisation: 50.0% (busy 2 s of 4 s; 2 turns ran)."))
        #expect(Timeline(events: [], now: 0, clock: .virtual).utilisation == nil)
    }

    // MARK: - SVG timeline

    @Test func svgTimelineHasALegendOneRowPerTaskAndAnAxis() throws {
        let run = RecordedRun(cooks)
        let svg = run.interpreter.timelineSVG(title: "cooks & <friends>")
        let texts = try svgTexts(svg)
        #expect(texts.contains("cooks & <friends>"))
        for legend in ["running", "ready", "sleeping", "blocked"] {
            #expect(texts.contains(legend), "legend lacks \(legend)")
        }
        for task in ["main", "cook#2", "cook#3", "CPU"] {
            #expect(texts.filter { $0 == task }.count == 1, "one row label for \(task)")
        }
        for tick in ["0s", "0.5s", "1.0s", "1.5s", "2.0s"] {
            #expect(texts.contains(tick), "axis lacks \(tick)")
        }
        #expect(texts.contains("time (virtual clock)"))
        // Zero-width running instants are still drawn, as marks with a width.
        #expect(svg.contains("main: running"))
        #expect(!svg.contains("width=\"0.00\""))
    }

    /// The text of every `<text>` element, after checking the document is well-formed SVG.
    private func svgTexts(_ svg: String) throws -> [String] {
        #if canImport(FoundationXML) || os(macOS)
            let document = try XMLDocument(xmlString: svg, options: [])
            let root = try #require(document.rootElement())
            #expect(root.name == "svg")
            return try root.nodes(forXPath: "//*[local-name()='text']").compactMap(\.stringValue)
        #else
            #expect(svg.contains("<svg"))
            return svg.components(separatedBy: "<text").dropFirst().compactMap { part in
                part.split(separator: ">", maxSplits: 1).last?.components(separatedBy: "</text").first
            }
        #endif
    }

    // MARK: - Explorer

    @Test func explorerFindsTheRaceInRaceCo() throws {
        let report = Interpreter.explore(
            source: try Examples.source("race.co"), file: "examples/race.co",
            runs: 20, options: Examples.virtualClock)
        #expect(report.runs == 20)
        #expect(report.exitCode == 0)
        #expect(report.outcomes.count > 1)
        #expect(report.outcomes.map(\.seeds.count).reduce(0, +) == 20)
        #expect(report.description.hasPrefix("\(report.outcomes.count) distinct outcomes in 20 runs"))
        #expect(
            report.description.contains(
                "replay: colang --clock virtual --schedule random --seed \(report.outcomes[1].seeds[0]) examples/race.co"))
    }

    @Test func explorerFindsOneOutcomeWithTheLock() throws {
        let report = Interpreter.explore(
            source: try Examples.source("race_locked.co"),
            file: "examples/race_locked.co", runs: 20, options: Examples.virtualClock)
        #expect(report.outcomes.count == 1)
        #expect(report.outcomes.first?.stdout == "counter: 6 (6 if no update was lost)\n")
        #expect(report.outcomes.first?.seeds == Array(1...20))
        #expect(report.description.hasPrefix("1 distinct outcome in 20 runs"))
    }

    @Test func aListedSeedReproducesItsOutput() throws {
        let source = try Examples.source("race.co")
        let report = Interpreter.explore(source: source, file: "race.co", runs: 20, options: Examples.virtualClock)
        for outcome in report.outcomes {
            let seed = try #require(outcome.seeds.last)
            var options = Examples.virtualClock
            options.schedule = .random
            options.seed = seed
            let box = OutputBox()
            let interpreter = Interpreter(options: options, stdout: { box.out += $0 }, stderr: { box.err += $0 })
            let status = interpreter.runScript(source: source, file: "race.co")
            interpreter.flush()
            #expect(box.out == outcome.stdout, "seed \(seed)")
            #expect(status == outcome.exitCode)
        }
    }

    @Test func explorerStopsAtASyntaxError() {
        let report = Interpreter.explore(source: "let = 1", file: "bad.co", runs: 5, options: Examples.virtualClock)
        #expect(report.exitCode == 65)
        #expect(report.runs == 1)
        #expect(report.outcomes.first?.stderr.isEmpty == false)
    }

    @Test func explorerSeparatesFailingSchedulesByExitCode() {
        let source = """
            let state = {"ready": false}
            fn setter() { state.ready = true }
            fn checker() { assert(state.ready, "checked too early") }
            spawn setter()
            spawn checker()
            """
        let report = Interpreter.explore(source: source, file: "x.co", runs: 20, options: Examples.virtualClock)
        #expect(report.exitCode == 0)
        #expect(Set(report.outcomes.map(\.exitCode)) == [0, 70])
        let failure = report.outcomes.first { $0.exitCode == 70 }
        #expect(failure?.stderr.contains("assertion failed: checked too early") == true)
        #expect(report.description.contains("exit 70 (runtime error, deadlock or failed task)"))
    }
}

/// The tools through the `colang` executable: flags wired to the library.
@Suite("teaching tools on the command line")
struct ToolsCLITests {
    private var kitchen: String { Examples.root.appendingPathComponent("examples/kitchen.co").path }
    private var race: String { Examples.root.appendingPathComponent("examples/race.co").path }

    @Test func bareTimelineDrawsTheTextChartOnStderr() throws {
        let run = try Colang.run(["--clock", "virtual", "--timeline", kitchen])
        #expect(run.status == 0)
        #expect(run.stdout.hasSuffix("served: [\"steak\", \"eggs\", \"salad\"] after 13s\n"))
        #expect(run.stderr.hasPrefix("timeline: 4 tasks, 13 s on the virtual clock"))
        #expect(run.stderr.contains("CPU utilisation: not measurable"))
    }

    @Test func timelineWithAFileWritesTheSVG() throws {
        let directory = try TemporaryDirectory()
        let svg = directory.url.appendingPathComponent("kitchen.svg").path
        let run = try Colang.run(["--clock", "virtual", "--timeline", svg, kitchen])
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(text.contains("<svg"))
        #expect(text.contains("dish#4"))
    }

    @Test func exploreReportsOutcomesOnTheVirtualClockByDefault() throws {
        let run = try Colang.run(["--explore", "12", race])
        #expect(run.status == 0)
        #expect(run.stdout.contains("distinct outcomes in 12 runs (random schedules, seeds 1-12, virtual clock)"))
        #expect(run.stdout.contains("replay: colang --clock virtual --schedule random --seed "))
    }

    @Test func exploreAndTimelineDoNotMix() throws {
        let run = try Colang.run(["--explore", "3", "--timeline", race])
        #expect(run.status == 64)
    }
}
