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
            main   |xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx|
            cook#2 |............................................................|
            cook#3 |..............................#                             |
                   +------------------------------------------------------------+
            CPU    |.                             .                            .|
                   +------------------------------------------------------------+
                    |0s            |0.5s          |1.0s          |1.5s          |2.0s
            legend: # running   - ready   . sleeping   x blocked   ~ network   (blank: not spawned yet, or over)
                    each column shows what the task did for most of that column's time
            CPU:    . a task took a turn in that column, taking no time   (blank: no turn)
            CPU utilisation: not measurable on the virtual clock, where running takes no time;
            rows show what each task did with the time: waiting (6 turns ran; --clock real measures it).

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
        #expect(text.contains(">salad</text>"), "the dishes name their tasks")
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

/// The pictures show what happened: waiting looks idle, work looks busy, the axis is readable and
/// the rows carry the names the program gave (issue: the lesson pictures are right).
@Suite("timelines that show what happened")
struct TimelinePictureTests {
    /// A task that fetches one page after another: 1 ms of work every 100 ms, the rest waiting
    /// on its socket, for 6 s (the old chart drew it as solid `#`).
    private static func sequentialFetches(clock: ClockKind) -> Timeline {
        var events = [SchedulerEvent(time: 0, taskId: 1, taskName: "main", kind: .spawn, detail: nil)]
        for i in 0..<60 {
            let t = Double(i) * 0.1
            events.append(SchedulerEvent(time: t, taskId: 1, taskName: "main", kind: .resume, detail: nil))
            var block = SchedulerEvent(
                time: clock == .real ? t + 0.001 : t, taskId: 1, taskName: "main", kind: .block, detail: "reading")
            block.network = true
            events.append(block)
            events.append(SchedulerEvent(time: t + 0.1, taskId: 1, taskName: "main", kind: .wake, detail: nil))
        }
        events.append(SchedulerEvent(time: 6, taskId: 1, taskName: "main", kind: .resume, detail: nil))
        events.append(SchedulerEvent(time: 6, taskId: 1, taskName: "main", kind: .finish, detail: nil))
        return Timeline(events: events, now: 6, clock: clock)
    }

    private static func row(_ name: String, in text: String) -> String? {
        text.split(separator: "\n").map(String.init).first { $0.hasPrefix(name + " ") }
    }

    @Test(arguments: [ClockKind.real, .virtual])
    func aTaskThatMostlyWaitsLooksLikeWaiting(clock: ClockKind) throws {
        let text = Self.sequentialFetches(clock: clock).text(width: 60)
        let row = try #require(Self.row("main", in: text), "\(text)")
        let cells = row.split(separator: "|")[1]
        #expect(cells.filter { $0 == "#" }.count <= 3, "\(text)")
        #expect(cells.filter { $0 == "~" }.count >= 55, "\(text)")
        let cpu = try #require(Self.row("CPU", in: text))
        #expect(!cpu.contains("#"), "an idle CPU has no busy columns: \(cpu)")
    }

    @Test func aTaskThatWorksLooksBusy() throws {
        let events: [(Double, SchedulerEvent.Kind)] = [(0, .spawn), (0, .resume), (5.5, .sleep), (6, .wake), (6, .finish)]
        let timeline = Timeline(
            events: events.map { SchedulerEvent(time: $0.0, taskId: 1, taskName: "main", kind: $0.1, detail: nil) },
            now: 6, clock: .real)
        let row = try #require(Self.row("main", in: timeline.text(width: 12)))
        #expect(row.hasSuffix("|###########.|"), "\(row)")
    }

    @Test func theAxisStartsAtZeroAndItsLabelsSitOnTheirTicks() throws {
        // The first event comes late (a program that took long to start): the axis still starts at 0.
        let events: [(Double, SchedulerEvent.Kind)] = [(0.6, .spawn), (0.6, .resume), (0.7, .sleep), (2.4, .finish)]
        let timeline = Timeline(
            events: events.map { SchedulerEvent(time: $0.0, taskId: 1, taskName: "main", kind: $0.1, detail: nil) },
            now: 2.4, clock: .real)
        #expect(timeline.axisRange == 0...2.4)
        let width = 48
        let lines = timeline.text(width: width).split(separator: "\n").map(String.init)
        let labels = lines[1]
        let border = try #require(lines[2].firstIndex(of: "+"))
        let firstCell = lines[2].distance(from: lines[2].startIndex, to: border) + 1
        // Each `|` stands over the column where its time begins: label 0.5s over column round(0.5 / 2.4 * 48).
        var found: [String] = []
        for (offset, character) in labels.enumerated() where character == "|" {
            let rest = labels.dropFirst(offset + 1).prefix { $0 != " " && $0 != "|" }
            let value = try #require(Double(rest.dropLast()), "label \(rest)")
            #expect(offset - firstCell == Int((value / 2.4 * Double(width)).rounded()), "\(rest) in \(labels)")
            found.append(String(rest))
        }
        #expect(found.first == "0s" && found.contains("1.0s") && found.contains("2.0s"), "\(found)")
    }

    @Test func afterAClearTheChartStartsAtTheClear() {
        let run = RecordedRun("sleep(5)")
        run.interpreter.clearSchedulerEvents()
        #expect(run.interpreter.timelineOrigin == 5)
        _ = run.interpreter.runScript(source: "sleep(1)", file: "more.co")
        #expect(run.interpreter.timeline().axisRange == 5...6)
    }

    @Test func aSubMillisecondRunHasReadableUnits() {
        let events: [(Double, SchedulerEvent.Kind)] = [(0, .spawn), (0.0001, .resume), (0.0003, .finish)]
        let timeline = Timeline(
            events: events.map { SchedulerEvent(time: $0.0, taskId: 1, taskName: "main", kind: $0.1, detail: nil) },
            now: 0.0003, clock: .real)
        let text = timeline.text(width: 60)
        #expect(text.contains("|0µs") && text.contains("|100µs") && text.contains("|200µs"), "\(text)")
        #expect(!text.contains("0.0001"), "\(text)")
        let svg = timeline.svg()
        #expect(svg.contains(">100µs</text>") && svg.contains(">300µs</text>"))
        let milliseconds = Timeline(
            events: [SchedulerEvent(time: 0, taskId: 1, taskName: "main", kind: .spawn, detail: nil)],
            now: 0.25, clock: .real)
        #expect(milliseconds.text().contains("|100ms"))
    }

    @Test func rowsCarryTheNamesTheProgramGave() {
        let run = RecordedRun(
            """
            fn dish(name) {
              current_task().name = name
              sleep(1)
            }
            fn nap() { sleep(1) }
            let t = spawn dish("steak")
            let u = spawn nap()
            u.name = "boiled eggs"
            t.join()
            u.join()
            """)
        let text = run.interpreter.timelineText()
        #expect(Self.row("steak", in: text) != nil && Self.row("boiled eggs", in: text) != nil, "\(text)")
        #expect(!text.contains("dish#") && !text.contains("nap#"), "\(text)")
        #expect(run.interpreter.timelineSVG().contains(">steak</text>"))
    }

    // MARK: - Coroutines

    private static let generator = """
        fn counter(n) {
          for i in range(n) { yield i }
        }
        fn relay(inner) {
          for x in inner { yield x * 10 }
        }
        let r = coroutine(relay, coroutine(counter, 3))
        print(r.next(), r.next())
        """

    @Test func coroutineEventsAreRecordedInOrderWithTheSchedulerEvents() {
        let run = RecordedRun(Self.generator)
        #expect(run.stdout == "0 10\n")
        let events = run.interpreter.coroutineEvents
        let words = events.map { "\($0.kind.rawValue) co#\($0.coroutineId) \($0.coroutineName) \($0.otherId ?? 0)" }
        #expect(
            words == [
                "create co#1 counter 0", "create co#2 relay 0", "resume co#2 relay 0", "resume co#1 counter 2",
                "yield co#1 counter 2", "yield co#2 relay 0", "resume co#2 relay 0", "resume co#1 counter 2",
                "yield co#1 counter 2", "yield co#2 relay 0",
            ], "\(words)")
        // All of them happen during main's one turn: after "spawn main" and "resume main".
        #expect(events.allSatisfy { $0.order == 2 && $0.taskName == "main" })
    }

    @Test func theTimelineHasARowPerCoroutine() throws {
        let run = RecordedRun(Self.generator)
        let timeline = run.interpreter.timeline()
        #expect(timeline.taskCount == 1 && timeline.coroutineCount == 2)
        let text = run.interpreter.timelineText(width: 15)
        #expect(text.hasPrefix("timeline: 1 task and 2 coroutines, 13 scheduler and coroutine events"), "\(text)")
        // 13 events on 15 columns: counter is created, resumed by relay, yields, and so on.
        let relay = try #require(Self.row("co#2 relay", in: text), "\(text)")
        let counter = try #require(Self.row("co#1 counter", in: text), "\(text)")
        #expect(relay.contains("=") && relay.contains("#") && relay.contains("."), "\(relay)")
        #expect(counter.contains("#") && counter.contains("."), "\(counter)")
        #expect(text.contains("co#N:   # running   = normal   . suspended"))
        let svg = run.interpreter.timelineSVG()
        for words in ["coroutines", "co#1 counter", "co#2 relay", "normal (resumed another)"] {
            #expect(svg.contains(">\(words)</text>"), "the SVG lacks \(words)")
        }
        #expect(svg.contains("co#2 relay: normal"))
    }

    @Test func aTimelineSaysWhenCoroutineEventsWereNotAllRecorded() {
        let run = RecordedRun(Self.generator)
        let whole = run.interpreter.timeline()
        #expect(run.interpreter.droppedCoroutineEvents == 0)
        #expect(!whole.text().contains("stop early"))
        let cut = Timeline(
            events: run.interpreter.schedulerEvents, coroutineEvents: run.interpreter.coroutineEvents, now: 0,
            clock: .virtual, droppedCoroutineEvents: 7)
        #expect(cut.text().contains("Coroutine rows stop early: only the first 200000 coroutine events were recorded (7 more were not)."))
        #expect(cut.svg().contains("(7 more were not)"))
    }

    @Test func aRunWithoutCoroutinesHasNoCoroutineSection() {
        let text = RecordedRun("sleep(1)").interpreter.timelineText()
        #expect(!text.contains("co#"))
        #expect(text.hasPrefix("timeline: 1 task, "))
    }

    @Test func nothingIsRecordedUnlessAsked() {
        var options = RunOptions()
        options.clock = .virtual
        let interpreter = Interpreter(options: options, stdout: { _ in }, stderr: { _ in })
        _ = interpreter.runScript(source: Self.generator, file: "g.co")
        #expect(interpreter.coroutineEvents.isEmpty && interpreter.schedulerEvents.isEmpty)
    }

    // MARK: - The SVG's coordinates

    @Test func theSVGSaysHowToMapTimeToX() throws {
        let run = RecordedRun(
            """
            fn cook() { sleep(2) }
            spawn cook()
            """)
        let svg = run.interpreter.timelineSVG()
        func attribute(_ name: String) throws -> String {
            let open = try #require(svg.range(of: "<svg "))
            let tag = svg[open.lowerBound...].prefix { $0 != ">" }
            let start = try #require(tag.range(of: " \(name)=\""), "no \(name) in \(tag)")
            return String(tag[start.upperBound...].prefix { $0 != "\"" })
        }
        #expect(try attribute("data-axis") == "seconds")
        let x0 = try #require(Double(try attribute("data-x0")))
        let x1 = try #require(Double(try attribute("data-x1")))
        #expect(try attribute("data-t0") == "0" && attribute("data-t1") == "2")
        #expect(x0 > 0 && x1 > x0 && x1 <= 960)
        // The 1s tick's label stands where the attributes put one second.
        let label = try #require(svg.range(of: ">1.0s</text>"))
        let element = svg[..<label.lowerBound].components(separatedBy: "<text x=\"").last ?? ""
        let x = try #require(Double(element.prefix { $0 != "\"" }))
        #expect(abs(x - (x0 + (x1 - x0) / 2)) < 0.01, "1.0s at \(x), not halfway from \(x0) to \(x1)")
        #expect(!svg.contains("href") && !svg.contains("<script"), "self-contained")
    }

    @Test func anEventAxisSaysSo() throws {
        let svg = RecordedRun(Self.generator).interpreter.timelineSVG()
        #expect(svg.contains("data-axis=\"events\" ") || svg.contains("data-axis=\"events\">"))
        #expect(svg.contains("data-t0=\"0\"") && svg.contains("data-t1=\"12\""))
    }
}

/// The threads-versus-coroutines lesson and the coroutine trace through `colang`.
@Suite("threads and coroutines on the command line")
struct ThreadsAndCoroutinesCLITests {
    private func example(_ name: String) -> String { Examples.root.appendingPathComponent("examples/\(name)").path }

    @Test func theCooperativeCounterNeverLosesAnUpdate() throws {
        let run = try Colang.run(["--explore", "50", example("threads_vs_coroutines.co")])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("1 distinct outcome in 50 runs"), "\(run.stdout)")
        #expect(run.stdout.contains("| hits: 30 of 30"))
    }

    @Test func timeSlicesLoseUpdatesThatExploreFinds() throws {
        let run = try Colang.run(["--preempt", "10", "--explore", "50", example("threads_vs_coroutines.co")])
        #expect(run.status == 0)
        #expect(!run.stdout.hasPrefix("1 distinct outcome"), "\(run.stdout)")
        #expect(run.stdout.contains(" of 30\n") && run.stdout.contains("--preempt 10"))
        let lost = run.stdout.split(separator: "\n").filter { $0.contains("| hits: ") && !$0.contains("30 of 30") }
        #expect(!lost.isEmpty, "some schedule loses an update: \(run.stdout)")
    }

    @Test func theTimelineOfTheExampleNamesTheClients() throws {
        let run = try Colang.run(["--clock", "virtual", "--timeline", example("threads_vs_coroutines.co")])
        #expect(run.status == 0)
        for name in ["alice ", "bob ", "carol "] {
            #expect(run.stderr.contains("\n" + name), "no row \(name): \(run.stderr)")
        }
    }

    @Test func kitchenRowsAreTheDishes() throws {
        let run = try Colang.run(["--clock", "virtual", "--timeline", example("kitchen.co")])
        for name in ["steak ", "eggs ", "salad "] { #expect(run.stderr.contains("\n" + name), "\(run.stderr)") }
        #expect(!run.stderr.contains("dish#"))
    }

    @Test func traceCoroutinesPrintsEachSwitch() throws {
        let run = try Colang.run(["--clock", "virtual", "--trace-coroutines", example("generators.co")])
        #expect(run.status == 0)
        #expect(run.stderr.hasPrefix("[0.000] create co#1 counter (by main)\n[0.000] resume co#1 counter (by main)\n"))
        #expect(run.stderr.contains("[0.000] yield co#1 counter (to main)\n"))
        #expect(run.stderr.contains("[0.000] return co#1 counter (to main)\n"))
        #expect(!run.stderr.contains("spawn main"), "scheduler events only with --trace-sched")
        let both = try Colang.run(["--clock", "virtual", "--trace-sched", "--trace-coroutines", example("generators.co")])
        #expect(
            both.stderr.hasPrefix("[0.000] spawn main (the program)\n[0.000] resume main (front of the ready queue)\n[0.000] create co#1"))
    }

    @Test func aGeneratorsTimelineShowsItsCoroutines() throws {
        let run = try Colang.run(["--clock", "virtual", "--timeline", example("generators.co")])
        #expect(run.stderr.contains("\nco#1 counter "), "\(run.stderr)")
        #expect(run.stderr.contains(" coroutines, "))
    }
}
