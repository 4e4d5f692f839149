// The teaching tools' public API: timelines of the recorded scheduler events, and schedule exploration.

/// Which task ran when: per-task spans (running, ready, sleeping, blocked, network) built from
/// scheduler events, and per-coroutine spans (running, normal, suspended) built from coroutine
/// events, drawn as a text chart or an SVG Gantt chart, each with a CPU row.
public struct Timeline {
    var model: TimelineModel

    /// Builds a timeline from `events` and `coroutineEvents` (oldest first); spans still open are
    /// closed at `now`, and the axis starts at `origin` (or at the first event, if earlier).
    /// On the virtual clock running takes no time, so running shows as instants; if the clock
    /// never moved at all, the axis counts events instead of seconds.
    /// `droppedCoroutineEvents` coroutine events came after the last recorded one and were not
    /// recorded; the chart says so.
    public init(
        events: [SchedulerEvent], coroutineEvents: [CoroutineEvent] = [], now: Double, clock: ClockKind,
        origin: Double = 0, droppedCoroutineEvents: Int = 0
    ) {
        model = TimelineModel(
            events: events, coroutineEvents: coroutineEvents, now: now, clock: clock, origin: origin)
        model.droppedCoroutineEvents = droppedCoroutineEvents
    }

    /// The number of task rows.
    public var taskCount: Int { model.rows.count }

    /// The number of coroutine rows: one per coroutine the recorded run created or switched to.
    public var coroutineCount: Int { model.coroutineRows.count }

    /// The axis's first and last value: seconds, or event numbers when the clock never moved.
    public var axisRange: ClosedRange<Double> { model.start...model.end }

    /// The fraction of the elapsed time some task was running (0...1); `nil` where it is not
    /// measurable: on the virtual clock, or when no time passed.
    public var utilisation: Double? { model.utilisation }

    /// A text chart for a terminal: one row per task over `width` columns (`#` running, `-` ready,
    /// `.` sleeping, `x` blocked, `~` network), each column showing what the task did for most of
    /// its time; a CPU row; a row per coroutine (`#` running, `=` normal, `.` suspended) when
    /// there were any; a time axis above and below, and a legend that ends with the CPU
    /// utilisation or why it cannot be measured.
    public func text(width: Int = 60) -> String {
        TextTimeline(model: model, width: max(width, 10)).render()
    }

    /// An SVG Gantt chart of the same: a title, a legend, one bar row per task, the CPU row, the
    /// coroutine rows, and a time axis with ticks and labels. Each bar carries a `<title>`
    /// tooltip. The root `<svg>` element carries `data-x0` and `data-x1` (the chart area's left
    /// and right edges, in SVG user units), `data-t0` and `data-t1` (the axis values there) and
    /// `data-axis` (`seconds` or `events`), so that a page embedding it can map a time to an x
    /// coordinate and back.
    public func svg(title: String = "CoLang timeline") -> String {
        SVGTimeline(model: model, title: title).render()
    }
}

extension Interpreter {
    /// The timeline of the scheduler and coroutine events recorded so far (turn
    /// `recordsSchedulerEvents` on before running), with open spans closed at the current clock
    /// time, starting at `timelineOrigin`.
    public func timeline() -> Timeline {
        Timeline(
            events: schedulerEvents, coroutineEvents: coroutineEvents, now: now, clock: clock,
            origin: timelineOrigin, droppedCoroutineEvents: droppedCoroutineEvents)
    }

    /// `--timeline` and `:timeline`: the text chart of what the tasks did so far.
    public func timelineText(width: Int = 60) -> String { timeline().text(width: width) }

    /// `--timeline FILE.svg`: the SVG Gantt chart of what the tasks and coroutines did so far, as
    /// a self-contained SVG document (see `Timeline.svg(title:)`).
    public func timelineSVG(title: String = "CoLang timeline") -> String { timeline().svg(title: title) }

    /// `--explore N`: runs the script `runs` times, each in a fresh interpreter with
    /// `schedule: .random` and seeds 1...runs (the other `options` as given, traces off, no
    /// standard input), capturing its output, and groups the runs by standard output and exit code.
    /// Stops early at a syntax error or Ctrl-C.
    public static func explore(
        source: String, file: String, runs: Int,
        options: RunOptions = RunOptions()
    ) -> ExploreReport {
        Explorer.explore(source: source, file: file, runs: runs, options: options)
    }
}

/// What `--explore` found: the distinct outcomes of one program under seeded random schedules.
public struct ExploreReport: CustomStringConvertible, Sendable {
    /// One distinct result (standard output and exit code) and the seeds that produce it.
    public struct Outcome: Sendable {
        /// Everything the program printed on standard output.
        public let stdout: String
        /// The run's exit code (0, 65, 70).
        public let exitCode: Int32
        /// Standard error of the first seed with this outcome (other seeds may word it differently).
        public let stderr: String
        /// Every seed giving this outcome, ascending; replay one with `--schedule random --seed S`.
        public internal(set) var seeds: [UInt64]
    }

    /// The script's name, as given to `explore`.
    public let file: String
    /// The options every run used (apart from its schedule and seed).
    public let options: RunOptions
    /// How many runs were asked for.
    public let requestedRuns: Int
    /// How many runs finished (fewer after a syntax error or Ctrl-C).
    public let runs: Int
    /// The distinct outcomes, in order of their first seed.
    public let outcomes: [Outcome]
    /// 0 when every run finished, 65 when the program does not compile, 130 when interrupted;
    /// not the programs' own exit codes (those are in `outcomes`).
    public let exitCode: Int32

    /// The report: "2 distinct outcomes in 20 runs", then each outcome with its count, seeds,
    /// a command line that replays it, and its output.
    public var description: String { render() }

    /// The `colang` command line that replays the run with this seed.
    public func replayCommand(seed: UInt64) -> String { replayWords(seed: seed) }
}

extension Interpreter {
    /// `--record FILE.html` and `:record FILE.html`: from now on, every step of what runs (each
    /// source line reached, each scheduler and coroutine event) is recorded with what it needs
    /// to be replayed, up to `maxSteps` steps (more are left out, and the page says so).
    /// Recording never changes what the program does or prints. Starting again restarts it.
    public func startRecording(maxSteps: Int = 50_000) {
        stopRecording()
        vm.events.recording = true  // the page's timeline
        recordingEventsBase = vm.events.recorded.count
        recordingCoroutineBase = vm.events.recordedCoroutines.count
        recordingOrigin = vm.events.recorded.isEmpty ? timelineOrigin : now
        vm.recorder = Recorder(vm: vm, maxSteps: maxSteps, eventsBase: recordingEventsBase, coroutineBase: recordingCoroutineBase)
    }

    /// Stops recording; the steps so far stay, for `recordingHTML`.
    public func stopRecording() {
        vm.recorder?.stop()
    }

    /// Ends a script's recording with a last step: the run is over, with `exitStatus`.
    public func endRecording(exitStatus: Int32) {
        guard let recorder = vm.recorder else { return }
        vm.flushOutput()
        recorder.finish("the run ended" + (exitStatus == 0 ? "" : " with exit status \(exitStatus)"))
    }

    /// Whether a recording is being made (it is not full and was not stopped).
    public var isRecording: Bool { vm.recorder?.wantsLines ?? false }

    /// The steps recorded so far (nil: no recording was started).
    public var recordedSteps: Int? { vm.recorder?.stepCount }

    /// Whether the run went on past the steps the recording holds.
    public var recordingIsTruncated: Bool { vm.recorder?.truncated ?? false }

    /// The recording so far as one self-contained HTML page (nil: no recording was started).
    /// `exitStatus` is the run's exit code, shown at its end.
    public func recordingHTML(title: String, exitStatus: Int32? = nil) -> String? {
        guard let recorder = vm.recorder else { return nil }
        // The timeline of the part of the run the steps show; a chart of thousands of tasks
        // would be bigger than the rest of the page and draw too slowly to follow a cursor.
        let all = vm.events.recorded, allCoroutines = vm.events.recordedCoroutines
        let from = min(recordingEventsBase, all.count), to = min(from + recorder.lastEventCount.scheduler, all.count)
        let coFrom = min(recordingCoroutineBase, allCoroutines.count)
        let coTo = min(coFrom + recorder.lastEventCount.coroutine, allCoroutines.count)
        let events = Array(all[from..<to])
        // A coroutine event's `order` counts scheduler events from the start of the recording.
        let coroutineEvents = allCoroutines[coFrom..<coTo].map { e -> CoroutineEvent in
            var e = e
            e.order -= from
            return e
        }
        let end = recorder.truncated ? max(events.last?.time ?? now, coroutineEvents.last?.time ?? now) : now
        let timeline = Timeline(events: events, coroutineEvents: coroutineEvents, now: end, clock: clock, origin: recordingOrigin)
        let svg =
            events.isEmpty || timeline.taskCount + timeline.coroutineCount > Recorder.maxTimelineRows
            ? nil : timeline.svg(title: "Timeline")
        let data = recorder.json(title: title, timelineSVG: svg, exitStatus: exitStatus)
        return RecordingPage.html(title: title, data: data)
    }
}
