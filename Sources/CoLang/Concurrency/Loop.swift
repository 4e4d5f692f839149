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
        scheduler.live.append(t)
    }

    /// Loads `closure` as the code the main task runs next.
    func prepareMain(_ closure: ClosureObj) {
        let t: TaskObj = mainTask
        let root = t.root
        root.frameCount = 0
        root.handlers.removeAll()
        root.closeUpvalues(from: 0)
        root.sp = 0
        root.push(Value(object: closure, tag: .closure))
        t.active = root
        t.status = .ready
        t.result = .nil
        t.error = .nil
        if !scheduler.live.contains(where: { $0 === t }) { scheduler.live.append(t) }
        scheduler.ready.append(t)
        traceSched(.spawn, t, detail: "the program")
    }

    /// `spawn f(args)`: a new task at the back of the ready queue.
    func spawnTask(_ callable: UnsafeBufferPointer<Value>) throws(VMError) -> Value {
        let fiber = try makeFiber(callable, what: "spawn")
        let id = nextTaskId
        nextTaskId += 1
        let base = fiber.name == "anonymous" ? "task" : fiber.name
        let t = heap.track(TaskObj(id: id, name: "\(base)#\(id)", root: fiber))
        fiber.task = t
        scheduler.live.append(t)
        scheduler.ready.append(t)
        traceSched(.spawn, t, detail: "by \(currentTask.name)")
        return Value(object: t, tag: .task)
    }

    /// Runs tasks until every task has finished (or, with `untilMainDone`, until main has).
    func runLoop(untilMainDone: Bool) -> LoopEnd {
        while true {
            wakeDueSleepers()
            if let t = nextReady() {
                let outcome = runTask(t)
                if let outcome { return outcome }
                if untilMainDone && mainTask.status.isFinished { return .mainDone }
                continue
            }
            if let next = scheduler.nextWakeTime() {
                if clock.kind == .real { flushOutput() }   // show what was printed before waiting
                clock.wait(until: next)
                if Interpreter.interruptFlag.pointee != 0 {
                    Interpreter.interruptFlag.pointee = 0
                    return .interrupted
                }
                continue
            }
            scheduler.pruneLive()
            if scheduler.live.isEmpty { return .allDone }
            if untilMainDone && mainTask.status.isFinished { return .mainDone }
            reportDeadlock()
            return .deadlock
        }
    }

    /// Moves every sleeper whose time has come to the ready queue, in wake-up order.
    func wakeDueSleepers() {
        let now = clock.now
        while let t = scheduler.popDueSleeper(now: now) {
            t.status = .ready
            scheduler.ready.append(t)
            traceSched(.wake, t, detail: "timer fired")
        }
    }

    func nextReady() -> TaskObj? {
        if options.schedule == .random && scheduler.ready.count > 1 {
            let i = Int(rng.next(below: UInt64(scheduler.ready.count)))
            let t = scheduler.ready.remove(at: i)
            if t.status == .ready { return t }
        }
        while let t = scheduler.ready.popFirst() {
            if t.status == .ready { return t }
        }
        return nil
    }

    /// Gives `t` the CPU until it yields, blocks or ends. Returns a loop end for fatal outcomes.
    func runTask(_ t: TaskObj) -> LoopEnd? {
        currentTask = t
        current = t.active
        t.status = .running
        t.switches += 1
        if let e = t.pendingThrow {   // any value, `nil` included, can be thrown
            pendingThrow = e
            t.pendingThrow = nil
        }
        traceSched(.resume, t, detail: self.options.schedule == .random ? "random pick from the ready queue" : "front of the ready queue")
        if let slice = options.preempt {
            // A fresh time slice: checkpoint at the next instruction (`steps` is then exact) and
            // from there at most every `slice` instructions.
            lastBudget -= budget
            budget = 0
            sliceEnd = steps + lastBudget + slice
        }
        let started = Clock.monotonicNanos()
        let stop = execute()
        t.timeRun += Double(Clock.monotonicNanos() &- started) / 1e9
        switch stop {
        case .finished(let v):
            finishTask(t, status: .done, result: v, error: .nil)
            traceSched(.finish, t, detail: nil)
        case .yielded:
            t.status = .ready
            scheduler.ready.append(t)
            traceSched(.yield, t, detail: preempted ? "preempted: its time slice of \(options.preempt ?? 0) instructions is used up" : nil)
            preempted = false
        case .blocked:
            break
        case .failed(let e):
            traceSched(.fail, t, detail: message(of: e))
            let observed = t.joiners.contains { j in
                if j.status == .blocked, case .join(let target) = j.waitingOn, target === t { return true }
                return false
            }
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
            traceSched(.yield, t, detail: "interrupted")
            t.status = .ready
            scheduler.ready.insert(t, at: 0)
            Interpreter.interruptFlag.pointee = 0
            return .interrupted
        }
        return nil
    }

    /// Marks `t` finished and wakes its joiners with its result or error.
    func finishTask(_ t: TaskObj, status: TaskStatus, result: Value, error: Value) {
        t.status = status
        t.result = result
        t.error = error
        t.waitingOn = .none
        t.pendingValue = .nil
        t.pendingThrow = nil
        endChain(of: t)
        let joiners = t.joiners
        t.joiners = []
        t.staleJoiners = 0
        for j in joiners {
            // A joiner cancelled (or otherwise moved on) since it blocked is not woken.
            guard j.status == .blocked, case .join(let target) = j.waitingOn, target === t else { continue }
            if status == .done {
                wake(j, with: result, by: t)
            } else {
                t.failureObserved = true
                let e = status == .cancelled ? fail("task \(t.name) was cancelled").value : error
                wakeThrowing(j, e, by: t)
            }
        }
    }

    /// Makes a blocked task ready, handing it `value` as the result of what it waited on.
    func wake(_ t: TaskObj, with value: Value, by waker: TaskObj?) {
        t.active.push(value)
        t.status = .ready
        t.waitingOn = .none
        scheduler.ready.append(t)
        traceSched(.wake, t, detail: waker.map { "by \($0.name)" })
    }

    func wakeThrowing(_ t: TaskObj, _ e: Value, by waker: TaskObj?) {
        t.pendingThrow = e
        t.status = .ready
        t.waitingOn = .none
        scheduler.ready.append(t)
        traceSched(.wake, t, detail: waker.map { "by \($0.name) (raising)" })
    }

    /// Suspends the current task (the native returns `.undefined`).
    func block(on target: WaitTarget, status: TaskStatus = .blocked) -> Value {
        let t: TaskObj = currentTask
        t.status = status
        t.waitingOn = target
        requestedStop = .blocked
        return .undefined
    }

    // MARK: - Natives behind sleep, join, cancel

    func sleep(_ seconds: Double) throws(VMError) -> Value {
        if seconds < 0 || seconds.isNaN { throw fail("sleep expects a non-negative duration") }
        current.push(.nil)
        if seconds == 0 {
            requestedStop = .yielded
            return .undefined
        }
        let t: TaskObj = currentTask
        scheduler.addSleeper(t, until: clock.now + seconds)
        traceSched(.sleep, t, detail: "until \(VM.formatFloat(t.wakeTime))")
        return block(on: .none, status: .sleeping)
    }

    func join(_ t: TaskObj) throws(VMError) -> Value {
        switch t.status {
        case .done: return t.result
        case .failed:
            t.failureObserved = true
            throw VMError(value: t.error)
        case .cancelled: throw fail("task \(t.name) was cancelled")
        default: break
        }
        if t === currentTask { throw fail("a task cannot join itself") }
        t.joiners.append(currentTask)
        traceSched(.block, currentTask, detail: "join \(t.name)")
        return block(on: .join(t))
    }

    func cancel(_ t: TaskObj) -> Value {
        if t.status.isFinished { return .false }
        traceSched(.cancel, t, detail: "by \(currentTask.name)")
        let isSelf = t === currentTask
        leaveWait(t)
        finishTask(t, status: .cancelled, result: .nil, error: .nil)
        if isSelf {
            requestedStop = .blocked
            return .undefined
        }
        return .true
    }

    /// Takes `t` out of whatever queue it waits in (it is being cancelled). The entry it leaves
    /// behind is stale: skipped when reached, and compacted away (see `Scheduler`).
    func leaveWait(_ t: TaskObj) {
        let status = t.status, wait = t.waitingOn
        t.status = .cancelled   // entries are stale from now on
        t.waitingOn = .none
        switch status {
        case .sleeping: scheduler.forgetSleeper(t)
        case .ready:
            if let i = paused.firstIndex(where: { $0 === t }) { paused.remove(at: i) } else { scheduler.forgetReady() }
        case .blocked:
            switch wait {
            case .none: break
            case .join(let target): target.forgetJoiner()
            case .recv(let c), .send(let c): c.forgetWaiter()
            }
        case .running, .done, .failed, .cancelled: break
        }
    }

    /// Ends every fiber of `t`'s resume chain where it stands, innermost first: their open
    /// upvalues are closed (captured locals stay valid after the stacks are freed), the
    /// coroutines the task was resuming end `done`, and every stack is released.
    func endChain(of t: TaskObj) {
        var f: Fiber = t.active
        while f !== t.root {
            guard let next = f.resumer else { break }
            f.closeUpvalues(from: 0)
            f.frameCount = 0
            f.handlers.removeAll()
            f.status = .done
            f.resumer = nil
            f.resumeExit = -1
            f.delegate = .nil
            f.primeSend = nil
            f.releaseStack()
            f = next
        }
        let root = t.root
        root.closeUpvalues(from: 0)
        root.frameCount = 0
        root.handlers.removeAll()
        root.delegate = .nil
        root.releaseStack()
        t.active = root
    }

    // MARK: - Deadlock

    func reportDeadlock() {
        var out = "deadlock: all tasks are blocked\n"
        for t in scheduler.live where t.status == .blocked {
            out += "  task \(t.name) \(waitDescription(t))\n"
        }
        writeError(out)
    }

    /// What `t` waits on and why nobody can wake it.
    func waitDescription(_ t: TaskObj) -> String {
        switch t.waitingOn {
        case .none: return "is blocked"
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
        case .recv(let c):
            return "waits to receive on channel #\(c.id): no live task can send on it"
        case .send(let c):
            return "waits to send on channel #\(c.id): no live task can receive from it"
        }
    }
}
