// What the Interpreter facade asks of the VM: run a script, evaluate REPL input, disassemble.
import CoLangSyntax
import FoundationEssentials

extension VM {
    /// Parses and compiles `source`; prints diagnostics and returns nil on syntax errors.
    func compile(source: String, file: String, echo: Value? = nil) -> (FunctionProto, SourceText)? {
        let text = SourceText(name: file, text: source)
        let (program, diagnostics) = Parser.parse(source: source, file: file)
        if !diagnostics.isEmpty {
            writeError(diagnostics.map { $0.render(source: text) }.joined())
            return nil
        }
        let compiler = Compiler(source: text, globals: globals, methodIDs: methods.ids, heap: heap, echo: echo)
        guard let proto = compiler.compileScript(program) else {
            writeError(compiler.diagnostics.map { $0.render(source: text) }.joined())
            return nil
        }
        ensureGlobalCapacity()
        return (proto, text)
    }

    func runScript(source: String, file: String) -> Int32 {
        guard let (proto, _) = compile(source: source, file: file) else { return ExitCode.syntaxError }
        defineGlobal("args", newList(ContiguousArray(options.scriptArgs.map { newString($0) })))
        prepareMain(heap.track(ClosureObj(proto: proto, upvalues: [])))
        let end = runLoop(untilMainDone: false)
        flushOutput()
        if ProcessInfo.processInfo.environment["COLANG_HEAP_STATS"] == "1" {
            // For calibrating `estimatedSize` against real memory (bench/README.md).
            collectGarbage()
            writeError("heap: \(heap.objects.count) objects, \(heap.liveBytes) estimated bytes\n")
        }
        switch end {
        case .allDone, .mainDone: return scheduler.unjoinedFailure ? ExitCode.runtimeError : ExitCode.ok
        case .mainFailed, .deadlock: return ExitCode.runtimeError
        case .interrupted:
            writeError("interrupted\n")
            return ExitCode.interrupted
        }
    }

    func disassembleScript(source: String, file: String) -> String? {
        guard let (proto, _) = compile(source: source, file: file) else { return nil }
        return Disassembler.listing(proto, vm: self)
    }

    func disassembleGlobal(named name: String) -> String? {
        guard let slot = globals.lookup(name), slot < globalValues.count else { return nil }
        let v = globalValues[slot]
        if v.tag == .closure { return Disassembler.listing(v.asClosure.proto, vm: self) }
        if v.tag == .boundMethod || v.tag == .native { return "<fn \(name)> is a builtin written in Swift\n" }
        return nil
    }

    /// True when every problem with `source` is that it ended too early.
    func isIncomplete(source: String) -> Bool {
        let (_, diagnostics) = Parser.parse(source: source, file: "<repl>")
        return !diagnostics.isEmpty && diagnostics.allSatisfy(\.isIncomplete)
    }

    /// The REPL's echo: expression statements print their value in repr form unless nil.
    var echoFunction: Value {
        if let e = echoValue { return e }
        let n = heap.track(
            NativeObj(name: "echo", minArgs: 1, maxArgs: 1) { vm, a in
                if !a[0].isNil { vm.write(vm.repr(a[0]) + "\n") }
                return .nil
            })
        let v = Value(object: n, tag: .native)
        echoValue = v
        extraRoots.append(v)
        return v
    }

    /// `file` other than `<repl>` is a `:load`ed file: it runs as `colang FILE` would (no echo;
    /// an unfinished statement at its end is a syntax error), keeping its definitions.
    func evalREPL(source: String, file: String = "<repl>") -> ReplStatus {
        let typed = file == "<repl>"
        if typed && isIncomplete(source: source) { return .incomplete }
        guard let (proto, _) = compile(source: source, file: file, echo: typed ? echoFunction : nil) else {
            return .error
        }
        prepareMain(heap.track(ClosureObj(proto: proto, upvalues: [])))
        let end = runLoop(untilMainDone: true)
        flushOutput()
        switch end {
        case .allDone, .mainDone:
            return .ok
        case .mainFailed:
            return .error
        case .deadlock:
            abandonMain()
            return .error
        case .interrupted:
            abandonMain()
            writeError("interrupted\n")
            return .error
        }
    }

    /// Drops what the main task was doing (a deadlocked or interrupted REPL input).
    func abandonMain() {
        let t: TaskObj = mainTask
        if events.schedulerOn { events.emit(.init(t, .cancel(by: nil))) }
        scheduler.leaveWait(t)
        t.pendingThrow = nil
        endChain(of: t)
    }
}
