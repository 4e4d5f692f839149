// `select(op, ...)`: the first ready of several channel operations, or a wait in every channel's
// queue at once until one completes; and `after(seconds)`, a channel the timer source fills.

/// One operation of a `select`: a receive on `channel`, or (`sends`) a send of `value`.
struct SelectOp {
    let channel: ChannelObj
    let value: Value
    let sends: Bool
}

/// What a task blocked in `select` waits on (its `WaitTarget.select`). The task is in the
/// `receivers` or `senders` queue of every operation's channel; the first operation another task
/// completes wakes it with its result list, and `Scheduler.leaveSelect` takes it out of the rest.
final class SelectWait {
    let ops: [SelectOp]
    init(ops: [SelectOp]) { self.ops = ops }

    /// Whether one of the operations receives on `c`.
    func receives(on c: ChannelObj) -> Bool {
        ops.contains { !$0.sends && $0.channel === c }
    }

    /// The value of the first operation that sends on `c`, or nil.
    func value(sentOn c: ChannelObj) -> Value? {
        ops.first { $0.sends && $0.channel === c }?.value
    }

    /// The index of the first operation on `c` in that direction.
    func index(of c: ChannelObj, sends: Bool) -> Int? {
        ops.firstIndex { $0.sends == sends && $0.channel === c }
    }

    /// The operations in words, for traces, `:tasks` and the deadlock report:
    /// `channel #1, channel #2 (send)`.
    var words: String {
        ops.map { "channel #\($0.channel.id)" + ($0.sends ? " (send)" : "") }.joined(separator: ", ")
    }

    func mark(_ gc: Collector) {
        for op in ops {
            gc.markObject(op.channel)
            gc.mark(op.value)
        }
    }
}

extension Scheduler {
    /// `t`'s select completed operation `fired` (its entry in that channel's queue is already
    /// taken): its entries in the other operations' queues are removed, so that no other
    /// channel matches it again and a later wait of `t` is not served early by an old entry.
    func leaveSelect(_ t: TaskObj, _ s: SelectWait, fired: Int) {
        for (i, op) in s.ops.enumerated() where i != fired {
            let c = op.channel
            if op.sends {
                if let j = c.senders.firstIndex(where: { $0 === t }) { c.senders.remove(at: j) }
            } else {
                if let j = c.receivers.firstIndex(where: { $0 === t }) { c.receivers.remove(at: j) }
            }
        }
    }

    /// Makes a waiting task ready with `value`, the wake event saying why in `words` (which
    /// operation of a select, an `after` timer).
    func wake(_ t: TaskObj, with value: Value, by waker: TaskObj?, saying words: String) {
        t.active.push(value)
        t.waitingOn = .none
        makeReady(t)
        if events.schedulerOn { events.emit(.init(t, .wakeFor(words, by: waker, raising: false))) }
    }

    /// Makes a waiting task ready to raise `e`, the wake event saying why in `words`.
    func wake(_ t: TaskObj, raising e: Value, by waker: TaskObj?, saying words: String) {
        t.pendingThrow = e
        t.waitingOn = .none
        makeReady(t)
        if events.schedulerOn { events.emit(.init(t, .wakeFor(words, by: waker, raising: true))) }
    }
}

/// What happened to a task's channel operation when another task (or a timer) completed it.
enum ChannelOutcome {
    case received(Value)
    case closed
    case sent
    case sendOnClosed
}

extension VM {
    // MARK: - select

    func select(_ a: UnsafeMutableBufferPointer<Value>) throws(VMError) -> NativeResult {
        if a.isEmpty { throw fail("select expects at least one channel operation") }
        var ops: [SelectOp] = []
        ops.reserveCapacity(a.count)
        for v in a {
            if v.tag == .channel {
                ops.append(SelectOp(channel: v.asChannel, value: .nil, sends: false))
                continue
            }
            guard v.tag == .list else {
                throw fail("select expects channels or [channel, value] pairs, got \(v.typeName)")
            }
            let items = v.asList.items
            guard items.count == 2, items[0].tag == .channel else {
                let what = items.count == 2 ? "a list whose first item is \(items[0].typeName)" : "a list of \(items.count) items"
                throw fail("select expects channels or [channel, value] pairs, got \(what)")
            }
            if items[1].isNil { throw fail("cannot send nil on a channel") }
            ops.append(SelectOp(channel: items[0].asChannel, value: items[1], sends: true))
        }
        // The ready operations: the first in argument order, or a seeded pick among all of them.
        let random = options.schedule == .random
        var readyOps: [Int] = []
        for (i, op) in ops.enumerated() where isReady(op) {
            readyOps.append(i)
            if !random { break }
        }
        if !readyOps.isEmpty {
            let pick = readyOps.count > 1 ? readyOps[Int(rng.next(below: UInt64(readyOps.count)))] : readyOps[0]
            return .value(try perform(ops[pick]))
        }
        currentTask.loopExit = -1
        return .block(on: .select(SelectWait(ops: ops)))
    }

    /// Whether `op` can complete (or fail) now without waiting.
    private func isReady(_ op: SelectOp) -> Bool {
        let c = op.channel
        if c.closed { return true }
        if op.sends { return scheduler.hasReceiver(c) || c.buffer.count < c.capacity }
        return !c.buffer.isEmpty || scheduler.hasSender(c)
    }

    /// Performs a ready operation of the running task's select; its result list.
    private func perform(_ op: SelectOp) throws(VMError) -> Value {
        let c = op.channel
        if op.sends {
            if c.closed { throw fail("send on closed channel") }
            if let receiver = scheduler.takeReceiver(c) {
                complete(receiver, on: c, .received(op.value), by: currentTask)
            } else {
                c.buffer.append(op.value)
                heap.grownBytes &+= Heap.grownBytesPerListItem
            }
            return selectResult("send", c, .nil)
        }
        if let v = takeNow(c) { return selectResult("recv", c, v) }
        return selectResult("closed", c, .nil)
    }

    private func selectResult(_ kind: String, _ c: ChannelObj, _ v: Value) -> Value {
        newList([newString(kind), Value(object: c, tag: .channel), v])
    }

    /// Wakes `t`, which waited on `c`, with what happened to its operation there: the value it
    /// receives (`nil` when closed) or the end of its send, or the error of a send on a closed
    /// channel. A task in a select gets its result list and leaves the other channels' queues.
    /// `waker` nil: an `after` timer.
    func complete(_ t: TaskObj, on c: ChannelObj, _ outcome: ChannelOutcome, by waker: TaskObj?) {
        t.loopExit = -1
        guard case .select(let s) = t.waitingOn else {
            switch outcome {
            case .received(let v):
                if waker == nil {
                    scheduler.wake(t, with: v, by: nil, saying: "after timer of channel #\(c.id) fired")
                } else {
                    scheduler.wake(t, with: v, by: waker)
                }
            case .closed, .sent: scheduler.wake(t, with: .nil, by: waker)
            case .sendOnClosed: scheduler.wake(t, raising: fail("send on closed channel").value, by: waker)
            }
            return
        }
        let sends: Bool
        let result: Value
        var what: String
        switch outcome {
        case .received(let v):
            sends = false
            result = selectResult("recv", c, v)
            what = "select recv on channel #\(c.id)"
        case .closed:
            sends = false
            result = selectResult("closed", c, .nil)
            what = "select saw channel #\(c.id) closed"
        case .sent:
            sends = true
            result = selectResult("send", c, .nil)
            what = "select send on channel #\(c.id)"
        case .sendOnClosed:
            sends = true
            result = .nil
            what = "select send on closed channel #\(c.id)"
        }
        if waker == nil { what = "after timer fired, " + what }
        scheduler.leaveSelect(t, s, fired: s.index(of: c, sends: sends) ?? -1)
        if case .sendOnClosed = outcome {
            scheduler.wake(t, raising: fail("send on closed channel").value, by: waker, saying: what)
        } else {
            scheduler.wake(t, with: result, by: waker, saying: what)
        }
    }

    // MARK: - after

    /// `after(seconds)`: a buffered(1) channel that the timer source fills with `now()` after
    /// the delay and then closes; no task stands behind it.
    func after(_ seconds: Double) throws(VMError) -> Value {
        if seconds < 0 || seconds.isNaN { throw fail("after expects a non-negative duration") }
        let v = makeChannel(capacity: 1)
        scheduler.timers.add(v.asChannel, firingAt: clock.now + seconds)
        return v
    }

    /// An `after` channel's time came: `time` goes to a waiting receiver or into the buffer
    /// (dropped if the program filled it), then the channel closes.
    func fireAfter(_ c: ChannelObj, at time: Double) {
        if c.closed { return }
        if let receiver = scheduler.takeReceiver(c) {
            complete(receiver, on: c, .received(Value(time)), by: nil)
        } else if c.buffer.count < c.capacity {
            c.buffer.append(Value(time))
        }
        closeChannel(c, by: nil)
    }
}
