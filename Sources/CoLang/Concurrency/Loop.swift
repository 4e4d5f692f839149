// Running tasks: spawn, the scheduler loop, waking, sleeping, joining, cancelling, deadlocks.

/// How a run of the loop ended.
enum LoopEnd {
    case allDone
    case mainFailed
    case deadlock
    case interrupted
    /// REPL: the input's main task finished while other tasks are still live.
    case mainDone
}

extension VM {
    /// Creates the `main` task around an empty root fiber (its code is set per script or input).
    func resetMainTask() {
        let root = heap.track(Fiber(id: 0, entry: .nil, capacity: 64))
        let t = heap.track(TaskObj(id: nextTaskId, name: "main", root: root))
        nextTaskId += 1
        root.task = t
        mainTask = t
        currentTask = t
        current = root
        scheduler.admit(t, ready: false)
    }

    /// Loads `closure` as the code the main task runs next.
    func prepareMain(_ closure: ClosureObj) {
        let t: TaskObj = mainTask
        end(t.root)
        t.root.push(Value(object: closure, tag: .closure))
        t.active = t.root
        t.result = .nil
        t.error = .nil
        scheduler.readmit(t)
        if events.schedulerOn { events.emit(.init(t, .spawn(by: nil))) }
    }

    /// `spawn f(args)`: a new task at the back of the ready queue.
    func spawnTask(_ callable: UnsafeBufferPointer<Value>) throws(VMError) -> Value {
        let fiber = try makeFiber(callable, what: "spawn")
        let id = nextTaskId
        nextTaskId += 1
        let base = fiber.name == "anonymous" ? "task" : fiber.name
        let t = heap.track(TaskObj(id: id, name: "\(base)#\(id)", root: fiber))
        fiber.task = t
        scheduler.admit(t)
        if events.schedulerOn { events.emit(.init(t, .spawn(by: currentTask))) }
        return Value(object: t, tag: .task)
    }

    /// Runs tasks until every task has finished (or, with `untilMainDone`, until main has).
    func runLoop(untilMainDone: Bool) -> LoopEnd {
        var turns = 0
        while true {
            scheduler.wakeDueTimers()
            if let t = nextReady() {
                let outcome = runTask(t)
                if let outcome { return outcome }
                if untilMainDone && mainTask.status.isFinished { return .mainDone }
                turns &+= 1
                // Busy tasks must not starve the sockets (the virtual clock looks only when
                // nothing is ready, so that such runs stay deterministic).
                if turns % Scheduler.networkCheckInterval == 0 && clock.kind == .real { scheduler.checkNetwork() }
                continue
            }
            switch scheduler.waitForEvents() {
            case .woke: continue
            case .interrupted:
                Interpreter.interruptFlag.pointee = 0
                return .interrupted
            case .nothingToWaitFor: break
            }
            scheduler.pruneLive()
            if scheduler.live.isEmpty { return .allDone }
            if untilMainDone && mainTask.status.isFinished { return .mainDone }
            reportDeadlock()
            return .deadlock
        }
    }

    func nextReady() -> TaskObj? {
        if holdBackground && mainTask.status == .ready && scheduler.take(mainTask) { return mainTask }
        return scheduler.nextReady(random: options.schedule == .random, rng: &rng)
    }

    /// Gives `t` the CPU until it yields, blocks or ends. Returns a loop end for fatal outcomes.
    func runTask(_ t: TaskObj) -> LoopEnd? {
        currentTask = t
        current = t.active
        t.status = .running
        t.switches += 1
        var raising: Value? = nil  // any value, `nil` included, can be thrown
        if let e = t.pendingThrow {
            raising = e
            t.pendingThrow = nil
        }
        if events.schedulerOn { events.emit(.init(t, .run(randomPick: options.schedule == .random))) }
        if let slice = options.preempt {
            // A fresh time slice: checkpoint at the next instruction (`steps` is then exact) and
            // from there at most every `slice` instructions.
            lastBudget -= budget
            budget = 0
            sliceEnd = steps + lastBudget + slice
        }
        let started = Clock.monotonicNanos()
        if let turn = promptTurnNanos, t !== mainTask { turnDeadline = started &+ turn }
        let stop = execute(raising: raising)
        turnDeadline = .max
        if !turnCut, hoggingTask === t { hoggingTask = nil }
        t.timeRun += Double(Clock.monotonicNanos() &- started) / 1e9
        switch stop {
        case .finished(let v):
            finishTask(t, status: .done, result: v, error: .nil)
            if events.schedulerOn { events.emit(.init(t, .finish)) }
        case .yielded where turnCut:
            // The prompt's turn: at the prompt the task stays first in line (a busy task still
            // starves the others, as it would in a program); during an input it goes behind it.
            turnCut = false
            hoggingTask = t
            scheduler.makeReady(t, atFront: mainTask.status.isFinished)
            if events.schedulerOn { events.emit(.init(t, .yield(.prompt))) }
        case .yielded:
            if let unwinding = cancelledForUnwinding {
                // It cancelled a task, which unwinds now; it goes on right after.
                cancelledForUnwinding = nil
                scheduler.makeUrgent(t)
                if events.schedulerOn { events.emit(.init(t, .yield(.unwinding(unwinding)))) }
            } else {
                scheduler.makeReady(t)
                if events.schedulerOn { events.emit(.init(t, .yield(preempted ? .preempted(slice: options.preempt ?? 0) : .program))) }
            }
            preempted = false
        case .blocked:
            break
        case .cancelled:
            finishTask(t, status: .cancelled, result: .nil, error: .nil)
            if events.schedulerOn { events.emit(.init(t, .unwound)) }
        case .failed(let e):
            t.cancelling = false  // an error raised by a `finally` replaced the cancellation
            if events.schedulerOn { events.emit(.init(t, .fail(message: message(of: e)))) }
            let observed = scheduler.isJoined(t)
            finishTask(t, status: .failed, result: .nil, error: e)
            if t === mainTask {
                writeError(report(e, header: "error: "))
                return .mainFailed
            }
            if !observed {
                writeError(report(e, header: "error in task \(t.name): "))
                scheduler.unjoinedFailure = true
            }
        case .interrupted:
            if events.schedulerOn { events.emit(.init(t, .yield(.interrupted))) }
            scheduler.makeReady(t, atFront: true)
            Interpreter.interruptFlag.pointee = 0
            return .interrupted
        }
        return nil
    }

    /// Marks `t` finished and wakes its joiners with its result or error.
    func finishTask(_ t: TaskObj, status: TaskStatus, result: Value, error: Value) {
        // A cancelled task whose `finally` swallowed the cancellation (a `return` in it) is
        // still cancelled.
        let status = t.cancelling && status == .done ? .cancelled : status
        t.cancelling = false
        t.status = status
        t.result = result
        t.error = error
        t.waitingOn = .none
        t.pendingThrow = nil
        endChain(of: t)
        switch status {
        case .done: scheduler.wakeJoiners(of: t, with: result)
        case .cancelled: scheduler.wakeJoiners(of: t, raising: { self.fail("task \(t.name) was cancelled").value })
        default: scheduler.wakeJoiners(of: t, raising: { error })
        }
    }

    /// The current task waits on `target`: the dispatch loop hands control to the scheduler.
    func block(on target: WaitTarget) -> ExecStop {
        scheduler.block(currentTask, on: target)
        return .blocked
    }

    // MARK: - Natives behind sleep, join, cancel

    func sleep(_ seconds: Double) throws(VMError) -> NativeResult {
        if seconds < 0 || seconds.isNaN { throw fail("sleep expects a non-negative duration") }
        if seconds == 0 {
            current.push(.nil)
            return .stop(.yielded)
        }
        return .block(on: .timer(until: clock.now + seconds))
    }

    func join(_ t: TaskObj) throws(VMError) -> NativeResult {
        switch t.status {
        case .done: return .value(t.result)
        case .failed: throw VMError(value: t.error)
        case .cancelled: throw fail("task \(t.name) was cancelled")
        default: break
        }
        if t === currentTask { throw fail("a task cannot join itself") }
        return .block(on: .join(t))
    }

    /// `t.cancel()`. A task that never ran just ends `cancelled`. One that has run is unwound
    /// from where it waits: the cancellation is raised there, passes its `catch` blocks by and
    /// runs its `finally` blocks through every coroutine of its resume chain (each ends `done`).
    /// It unwinds at once, before the canceller goes on: it runs next, then the canceller
    /// (`Scheduler.makeUrgent`), so other tasks see it finished. The running task cancelling
    /// itself is unwound from the call.
    func cancel(_ t: TaskObj) throws(VMError) -> NativeResult {
        if t.status.isFinished || t.cancelling { return .value(.false) }
        if events.schedulerOn { events.emit(.init(t, .cancel(by: currentTask))) }
        let cancellation = unwindingError(.cancel, "task \(t.name) was cancelled")
        if t === currentTask {
            markCancelling(t)
            throw VMError(value: cancellation)
        }
        if t.switches == 0 {
            scheduler.leaveWait(t)
            finishTask(t, status: .cancelled, result: .nil, error: .nil)
            return .value(.true)
        }
        scheduler.takeOut(t)
        markCancelling(t)
        scheduler.makeUrgent(t)
        t.pendingThrow = cancellation
        // A task that is itself unwinding may not give up its turn: it goes on, and `t`
        // unwinds next.
        if currentTask.cancelling { return .value(.true) }
        current.push(.true)
        cancelledForUnwinding = t
        return .stop(.yielded)
    }

    /// `t` is being cancelled: so are the fibers of its resume chain.
    private func markCancelling(_ t: TaskObj) {
        t.cancelling = true
        var f: Fiber? = t.active
        while let x = f {
            x.unwinding = .cancel
            f = x.resumer
        }
    }

    /// Ends every fiber of `t`'s resume chain where it stands, innermost first (see `end`):
    /// the coroutines the task was resuming end `done`, and every stack is released.
    func endChain(of t: TaskObj) {
        var f: Fiber = t.active
        while !f.isTaskRoot {
            guard let next = f.resumer else { break }
            end(f)
            f = next
        }
        end(t.root)
        t.active = t.root
    }

    // MARK: - Deadlock

    func reportDeadlock() {
        writeError(deadlockReport())  // Deadlock.swift
    }

    /// What `t` waits on and why nobody can wake it.
    func waitDescription(_ t: TaskObj) -> String {
        switch t.waitingOn {
        case .join(let other):
            var chain: [TaskObj] = [t]
            var cur = other
            while true {
                if let i = chain.firstIndex(where: { $0 === cur }) {
                    let cycle = (chain[i...] + [cur]).map(\.name).joined(separator: " -> ")
                    return "waits to join \(other.name): wait-for cycle \(cycle)"
                }
                chain.append(cur)
                guard case .join(let next) = cur.waitingOn else {
                    if cur === other { return "waits to join \(other.name), which is \(cur.status.name)" }
                    return "waits to join \(other.name), which waits on \(cur.name), which is \(cur.status.name)"
                }
                cur = next
            }
        case .none, .timer, .recv, .send, .socket, .select:
            return t.waitingOn.deadlockText
        }
    }
}
