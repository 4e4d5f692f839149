// Execution traces: `--trace` (each instruction with its stack) and `--trace-sched` (scheduler events).

/// One scheduler event, as `--trace-sched` prints it and timelines draw it.
public struct SchedulerEvent: Sendable {
    public enum Kind: String, Sendable {
        case spawn, resume, yield, sleep, wake, block, finish, fail, cancel
    }
    /// Program clock time (seconds).
    public var time: Double
    public var taskId: Int
    public var taskName: String
    public var kind: Kind
    /// Why: what a task blocks on, who woke it, why it was picked.
    public var detail: String?
}

extension VM {
    func traceLine(_ s: String) {
        writeError("[trace] \(s)\n")
    }

    /// Records one scheduler event (for timelines) and prints it under `--trace-sched`:
    /// clock time, event, task and why.
    @inline(__always)
    func traceSched(_ kind: SchedulerEvent.Kind, _ t: TaskObj, detail: @autoclosure () -> String?) {
        guard traceSchedulerOn || recordingEvents else { return }
        let now = clock.now
        let d = detail()
        if recordingEvents && events.count < VM.maxEvents {
            events.append(SchedulerEvent(time: now, taskId: t.id, taskName: t.name, kind: kind, detail: d))
        }
        guard traceSchedulerOn else { return }
        var line = "[\(CFormat.string("%.3f", now))] \(kind.rawValue) \(t.name)"
        if let d { line += " (\(d))" }
        writeError(line + "\n")
    }

    static let maxEvents = 2_000_000

    /// A value's printed form cut to a readable length (a trace line must stay short even when
    /// a list on the stack holds a million elements).
    func shortRepr(_ v: Value) -> String {
        repr(v, maxLength: 60)
    }

    /// Prints the stack of the running frame and the instruction about to execute.
    func traceInstruction(_ r: Registers) {
        var stack = "          "
        var p = r.base
        while p < r.sp {
            stack += "[ \(shortRepr(p.pointee)) ]"
            p += 1
        }
        let proto = r.closure.proto
        let (text, _) = Disassembler.instruction(proto, offset: r.ip - r.code, vm: self)
        writeError(stack + "\n" + text + "\n")
    }
}
