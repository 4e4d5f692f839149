// Channel operations: hand-off to waiting receivers, buffering, blocking and closing.

extension VM {
    func makeChannel(capacity: Int) -> Value {
        let c = heap.track(ChannelObj(id: nextChannelId, capacity: capacity))
        nextChannelId += 1
        return Value(object: c, tag: .channel)
    }

    /// Hands `v` to a receiver blocked on `c`, continuing its `recv` or its `for` loop.
    private func deliver(_ v: Value, to t: TaskObj) {
        t.loopExit = -1
        scheduler.wake(t, with: v, by: currentTask)
    }

    func channelSend(_ c: ChannelObj, _ v: Value) throws(VMError) -> NativeResult {
        if v.isNil { throw fail("cannot send nil on a channel") }
        if c.closed { throw fail("send on closed channel") }
        if let receiver = scheduler.takeReceiver(c) {
            deliver(v, to: receiver)
            return .value(.nil)
        }
        if c.buffer.count < c.capacity {
            c.buffer.append(v)
            return .value(.nil)
        }
        return .block(on: .send(c, v))
    }

    /// Takes the next value if one is available now, waking a sender whose value moves up.
    private func takeNow(_ c: ChannelObj) -> Value? {
        if let v = c.buffer.popFirst() {
            if let s = scheduler.takeSender(c) {
                c.buffer.append(s.value)
                scheduler.wake(s.task, with: .nil, by: currentTask)
            }
            return v
        }
        if let s = scheduler.takeSender(c) {
            scheduler.wake(s.task, with: .nil, by: currentTask)
            return s.value
        }
        return nil
    }

    func channelRecv(_ c: ChannelObj) -> NativeResult {
        if let v = takeNow(c) { return .value(v) }
        if c.closed { return .value(.nil) }
        currentTask.loopExit = -1
        return .block(on: .recv(c))
    }

    /// `for v in ch`: the next value, or at close-and-drained jump to `exit`.
    func receiveForIteration(_ c: ChannelObj, exit: Int, _ r: inout Registers) throws(VMError) -> ExecStop? {
        if let v = takeNow(c) {
            r.push(v)
            return nil
        }
        if c.closed {
            r.push(.nil)
            r.ip = r.code + exit
            return nil
        }
        save(r)
        currentTask.loopExit = exit
        return block(on: .recv(c))
    }

    func channelClose(_ c: ChannelObj) -> Value {
        if c.closed { return .nil }
        c.closed = true
        while let t = scheduler.takeReceiver(c) {
            if t.loopExit >= 0 {
                t.active.topFrame.pointee.ip = t.loopExit
                t.loopExit = -1
            }
            scheduler.wake(t, with: .nil, by: currentTask)
        }
        while let s = scheduler.takeSender(c) {
            scheduler.wake(s.task, raising: fail("send on closed channel").value, by: currentTask)
        }
        return .nil
    }
}
