// Execution traces: `--trace`, each instruction with its stack (the events of `--trace-sched` and
// coroutine switches are printed by the event stream, Tools/Events.swift).

extension VM {
    func traceLine(_ s: String) {
        writeTrace("[trace] \(s)\n")
    }

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
        writeTrace(stack + "\n" + text + "\n")
    }
}
