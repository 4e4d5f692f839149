// The scheduler as the REPL drives it: background turns between keystrokes, steps, the task table.
import FoundationEssentials
import Glibc

/// One `:step`: which task ran, where it started and stopped, and why.
public struct StepReport: Sendable {
    public var taskName: String
    public var from: String
    public var to: String
    public var why: String
    /// One line, or two when one would not fit in 80 columns (the reason goes on the second).
    public var description: String {
        let line = "\(taskName) ran from \(from) to \(to): \(why)"
        return line.count <= 80 ? line : "\(taskName) ran from \(from) to \(to):\n  \(why)"
    }
}

/// A time for people: two decimals, with its unit (`3.19s`, `0.33 ms`).
func humanSeconds(_ seconds: Double) -> String { CFormat.string("%.2fs", seconds) }

extension VM {
    /// Runs ready background tasks (main is idle at the prompt) for about `timeSlice` seconds.
    /// Returns the seconds until the next sleeper is due, 0 if tasks are still ready, or nil if
    /// nothing is scheduled.
    func runBackground(timeSlice: Double) -> Double? {
        let deadline = Clock.monotonicNanos() &+ UInt64(max(timeSlice, 0) * 1e9)
        while true {
            scheduler.wakeDueTimers()
            guard let t = nextReady() else { break }
            let end = runTask(t)
            flushOutput()
            if case .interrupted = end { scheduler.pause(t) }
            if case .mainFailed = end { break }
            if Clock.monotonicNanos() >= deadline { break }
        }
        if scheduler.hasReady { return 0 }
        guard let next = scheduler.timers.nextDeadline() else { return nil }
        if clock.kind == .virtual {
            clock.wait(until: next)  // virtual time moves on; the sleepers wake on the next turn
            return 0
        }
        return max(next - clock.now, 0)
    }

    /// `:run`: runs background tasks until none is ready or sleeping (or Ctrl-C).
    func runUntilIdle() {
        scheduler.unpauseAll()
        while let wait = runBackground(timeSlice: 0.1) {
            if Interpreter.interruptFlag.pointee != 0 { Interpreter.interruptFlag.pointee = 0; return }
            if wait > 0 { scheduler.waitForEvents(maxWait: wait) }
            if Interpreter.interruptFlag.pointee != 0 { Interpreter.interruptFlag.pointee = 0; return }
        }
    }

    /// The REPL's line editor waiting for a key: one wait in the scheduler's poll for the
    /// descriptors (stdin and the Ctrl-C pipe) and, with `includeTimers`, the next timer;
    /// at most `maxWait` seconds (nil: no bound). Returns each descriptor's `revents`.
    func waitForInput(on descriptors: [Int32], includeTimers: Bool, maxWait: Double?) -> [Int16] {
        let watch = DescriptorWatch(descriptors)
        scheduler.waitForEvents(external: watch, includeTimers: includeTimers, maxWait: maxWait)
        return watch.revents
    }

    /// Runs one scheduler step (one task's turn) and says what happened.
    /// `verbose` (`:step -v`) adds the instruction each position continues with, as `--dis`
    /// lists it.
    func step(verbose: Bool = false) -> StepReport? {
        scheduler.unpauseAll()
        scheduler.wakeDueTimers()
        if scheduler.ready.isEmpty { scheduler.waitForEvents() }
        guard let t = nextReady() else { return nil }
        let from = position(of: t, verbose: verbose)
        // How the turn ended is the last event of `t` on the stream.
        var last: RunEvent.Kind?
        let listener = events.listen { e in
            if e.task === t, EventStream.describe(e.kind) != nil { last = e.kind }
        }
        let end = runTask(t)
        events.stopListening(listener)
        flushOutput()
        if case .interrupted = end { scheduler.pause(t) }
        let why: String
        switch last {
        case .finish: why = "finished with \(repr(t.result))"
        case .fail(let message): why = "failed: \(message)"
        case .cancel, .unwound: why = "was cancelled"
        case .sleep(let until): why = "sleeps until t=\(humanSeconds(until))"
        case .block: why = "blocked: \(waitDescription(t))"
        case .yield(.prompt): why = "ran too long without yielding: switched out, it keeps its place"
        case .yield: why = "gave up its turn (back of the ready queue)"
        default: why = "is still running"
        }
        return StepReport(taskName: t.name, from: from, to: t.status.isFinished ? "the end" : position(of: t, verbose: verbose), why: why)
    }

    /// Where a task will continue: `file:line in function`.
    func position(of t: TaskObj, verbose: Bool) -> String {
        let f = t.active
        guard f.frameCount > 0 else { return "its start" }
        let frame = f.topFrame.pointee
        let proto = frame.closure.takeUnretainedValue().proto
        let loc = proto.location(at: max(frame.ip - 1, 0))
        let name = proto.name.isEmpty ? "<fn>" : proto.name
        // The instruction it continues with, as `--dis` lists it.
        var next = ""
        if verbose, frame.ip < proto.codeCount, let op = OpCode(rawValue: proto.code[frame.ip]) {
            next = " (next: \(String(repeating: "0", count: max(0, 4 - String(frame.ip).count)))\(frame.ip) \(op.mnemonic))"
        }
        return "\(proto.source.name):\(loc.line) in \(name)\(next)"
    }

    /// The `:tasks` table: id, name, status, what it waits on, switches and time run.
    func taskTable() -> String {
        scheduler.pruneLive()
        var rows = [["id", "name", "status", "waiting on", "switches", "time run"]]
        for t in scheduler.live {
            let waiting: String
            switch t.status {
            case .sleeping, .blocked: waiting = t.waitingOn.tableText
            default: waiting = scheduler.isPaused(t) ? "(paused)" : "-"
            }
            rows.append([
                String(t.id), t.name, t.status.name, waiting, String(t.switches),
                t.timeRun >= 1 ? CFormat.string("%.2f s", t.timeRun) : CFormat.string("%.2f ms", t.timeRun * 1000),
            ])
        }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { row in
            row.enumerated().map { i, c in c.padded(to: widths[i]) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }

    /// True when some task other than an idle main can run now or later.
    var hasBackgroundWork: Bool {
        scheduler.hasPendingWork
    }
}
