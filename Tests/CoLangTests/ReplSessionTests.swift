// A long REPL session stays healthy: inputs that define, spawn, fail and cancel tasks leave the
// heap flat and the task table accurate.
import Testing
@testable import CoLang

@Suite struct ReplSessionTests {
    /// Runs `count` rounds of REPL inputs through one interpreter and returns its live objects.
    private func session(rounds: Int, _ interp: Interpreter) -> Int {
        for i in 0..<rounds {
            _ = interp.evalREPL("let x\(i % 7) = [\(i), \"s\(i)\", {k: \(i)}]")
            _ = interp.evalREPL("fn f(n) { sleep(n); return n }")
            _ = interp.evalREPL("let t = spawn f(1)")
            _ = interp.evalREPL("t.cancel()")
            _ = interp.evalREPL("let u = spawn fn() { throw error(\"boom \(i)\") }")
            _ = interp.evalREPL("try { u.join() } catch e { e.message }")
            _ = interp.evalREPL("1 // 0")  // an error at the prompt
            _ = interp.evalREPL("let g = coroutine(fn() { yield 1 }); g.next()")
            while interp.runBackground(timeSlice: 1) != nil {}
        }
        interp.vm.collectGarbage()
        return interp.vm.heap.objects.count
    }

    @Test func tenThousandInputsLeaveMemoryFlat() {
        var options = RunOptions()
        options.clock = .virtual
        var errors = 0
        let interp = Interpreter(options: options, stdout: { _ in }, stderr: { _ in errors += 1 })
        let early = session(rounds: 250, interp)  // 2,000 inputs
        let late = session(rounds: 1_000, interp)  // 8,000 more
        #expect(errors > 0)  // the failing inputs did fail
        #expect(late <= early + early / 10, "live objects grew from \(early) to \(late)")
        #expect(interp.vm.scheduler.live.filter { !$0.status.isFinished }.count <= 1)
        let table = interp.taskTable()
        #expect(!table.contains("f#"), "finished and cancelled tasks are not listed:\n\(table)")
        #expect(interp.evalREPL("len(tasks())") == .ok)
    }

    @Test func taskTableShowsWhatTasksWaitOn() {
        var options = RunOptions()
        options.clock = .virtual
        var out = ""
        let interp = Interpreter(options: options, stdout: { out += $0 }, stderr: { _ in })
        _ = interp.evalREPL("let ch = channel()")
        _ = interp.evalREPL("fn r() { return ch.recv() }")
        _ = interp.evalREPL("let a = spawn r()")
        _ = interp.evalREPL("fn s() { sleep(5) }")
        _ = interp.evalREPL("let b = spawn s()")
        _ = interp.runBackground(timeSlice: 0.1)
        let table = interp.taskTable()
        #expect(table.contains("r#2") && table.contains("blocked") && table.contains("recv channel #1"), "\(table)")
        #expect(table.contains("s#3") && table.contains("sleeping") && table.contains("timer t=5.00s"), "\(table)")
        _ = interp.evalREPL("ch.send(42)")
        _ = interp.evalREPL("a.join()")
        #expect(out.contains("42"))
    }

    /// A task blocked in `select` lists every channel in `:tasks`; once one op fires, it leaves
    /// the other channels' queues (a select in a loop does not fill them with old entries).
    @Test func selectWaitsInTaskTableAndLeavesOtherQueues() {
        var options = RunOptions()
        options.clock = .virtual
        var out = ""
        let interp = Interpreter(options: options, stdout: { out += $0 }, stderr: { _ in })
        _ = interp.evalREPL("let work = channel()")
        _ = interp.evalREPL("let quit = channel()")
        _ = interp.evalREPL("fn loop() { let n = 0; while true { if select(work, [quit, 1])[0] == \"send\" { return n }; n = n + 1 } }")
        _ = interp.evalREPL("let l = spawn loop()")
        _ = interp.runBackground(timeSlice: 0.1)
        let table = interp.taskTable()
        #expect(table.contains("loop#2") && table.contains("select channel #1, channel #2 (send)"), "\(table)")
        _ = interp.evalREPL("for i in range(500) { work.send(i) }")
        guard let slot = interp.vm.globals.lookup("quit") else {
            Issue.record("no global quit")
            return
        }
        let quit = interp.vm.globalValues[slot].asChannel
        #expect(quit.senders.count == 1, "quit's queue holds \(quit.senders.count) entries")
        _ = interp.evalREPL("print(quit.recv(), l.join())")
        #expect(out.contains("1 500"), "\(out)")
    }

    /// `:step` runs one task's turn and says how it ended (read from the event stream).
    @Test func stepSaysHowEachTurnEnded() {
        var options = RunOptions()
        options.clock = .virtual
        var out = ""
        let interp = Interpreter(options: options, stdout: { out += $0 }, stderr: { _ in })
        interp.recordsSchedulerEvents = true
        _ = interp.evalREPL("let ch = channel()")
        _ = interp.evalREPL("fn turns() { yield; sleep(2); ch.recv(); return 7 }")
        _ = interp.evalREPL("fn boom() { throw error(\"bad\") }")
        _ = interp.evalREPL("fn quits() { current_task().cancel() }")
        // Nothing runs at the prompt unless asked: each `:step` is one turn.
        _ = interp.evalREPL("let t = spawn turns()")
        let reasons = [interp.step(), interp.step(), interp.step()].map { $0?.description ?? "nil" }
        #expect(reasons[0].hasPrefix("turns#2 ran from its start to <repl>:1 in turns"), "\(reasons)")
        // Longer than 80 columns: the reason goes on a second, indented line.
        #expect(reasons[0].hasSuffix(" in turns:\n  gave up its turn (back of the ready queue)"), "\(reasons)")
        #expect(reasons[1].hasSuffix(": sleeps until t=2.00s"), "\(reasons)")
        #expect(reasons[2].hasSuffix(":\n  blocked: waits to receive on channel #1: no live task can send on it"), "\(reasons)")
        #expect(reasons.allSatisfy { $0.split(separator: "\n").allSatisfy { $0.count <= 80 } }, "\(reasons)")
        #expect(!reasons.joined().contains("next:"), "no bytecode offsets unless asked: \(reasons)")
        _ = interp.evalREPL("ch.send(1)")
        let finished = interp.step()?.description ?? "nil"
        #expect(finished.hasSuffix(" to the end: finished with 7"), "\(finished)")
        _ = interp.evalREPL("spawn boom()")
        let failed = interp.step()?.description ?? "nil"
        #expect(failed.hasSuffix(": failed: bad"), "\(failed)")
        _ = interp.evalREPL("spawn quits()")
        let cancelled = interp.step()?.description ?? "nil"
        #expect(cancelled.hasSuffix(": was cancelled"), "\(cancelled)")
        #expect(interp.step() == nil)
    }
}
