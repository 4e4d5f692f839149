// Execution traces: `--trace` (each instruction with its stack) and `--trace-sched` (scheduler events).

extension VM {
    func traceLine(_ s: String) {
        writeError("[trace] \(s)\n")
    }

    /// One `--trace-sched` line: clock time, event, task and why.
    func traceSched(_ event: String, _ t: TaskObj, detail: String?) {
        guard traceSchedulerOn else { return }
        let time = String(format: "%.3f", clock.now)
        var line = "[\(time)] \(event) \(t.name)"
        if let detail { line += " (\(detail))" }
        writeError(line + "\n")
    }

    /// Prints the stack of the running frame and the instruction about to execute.
    func traceInstruction(_ r: Registers) {
        var stack = "          "
        var p = r.base
        while p < r.sp {
            stack += "[ \(repr(p.pointee)) ]"
            p += 1
        }
        let proto = r.closure.proto
        let (text, _) = Disassembler.instruction(proto, offset: r.ip - r.code, vm: self)
        writeError(stack + "\n" + text + "\n")
    }
}
