// Channel operations: hand-off to waiting receivers, buffering, blocking and closing.

extension VM {
    func makeChannel(capacity: Int) -> Value {
        let c = heap.track(ChannelObj(id: nextChannelId, capacity: capacity))
        nextChannelId += 1
        return Value(object: c, tag: .channel)
    }

    /// The first receiver still waiting on `c` (cancelled ones are skipped).
    private func popReceiver(_ c: ChannelObj) -> TaskObj? {
        while let t = c.receivers.popFirst() {
            if t.status == .blocked, case .recv(let w) = t.waitingOn, w === c { return t }
        }
        return nil
    }

    private func popSender(_ c: ChannelObj) -> (task: TaskObj, value: Value)? {
        while let s = c.senders.popFirst() {
            if s.task.status == .blocked, case .send(let w) = s.task.waitingOn, w === c { return s }
        }
        return nil
    }

    /// Hands `v` to a receiver blocked on `c`, continuing its `recv` or its `for` loop.
    private func deliver(_ v: Value, to t: TaskObj) {
        t.recvExit = -1
        wake(t, with: v, by: currentTask)
    }

    func channelSend(_ c: ChannelObj, _ v: Value) throws(VMError) -> Value {
        if v.isNil { throw fail("cannot send nil on a channel") }
        if c.closed { throw fail("send on closed channel") }
        if let receiver = popReceiver(c) {
            deliver(v, to: receiver)
            return .nil
        }
        if c.buffer.count < c.capacity {
            c.buffer.append(v)
            return .nil
        }
        c.senders.append((currentTask, v))
        traceSched(.block, currentTask, detail: "send on channel #\(c.id)")
        return block(on: .send(c))
    }

    /// Takes the next value if one is available now, waking a sender whose value moves up.
    private func takeNow(_ c: ChannelObj) -> Value? {
        if let v = c.buffer.popFirst() {
            if let s = popSender(c) {
                c.buffer.append(s.value)
                wake(s.task, with: .nil, by: currentTask)
            }
            return v
        }
        if let s = popSender(c) {
            wake(s.task, with: .nil, by: currentTask)
            return s.value
        }
        return nil
    }

    func channelRecv(_ c: ChannelObj) -> Value {
        if let v = takeNow(c) { return v }
        if c.closed { return .nil }
        c.receivers.append(currentTask)
        currentTask.recvExit = -1
        traceSched(.block, currentTask, detail: "recv on channel #\(c.id)")
        return block(on: .recv(c))
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
        c.receivers.append(currentTask)
        currentTask.recvExit = exit
        traceSched(.block, currentTask, detail: "recv on channel #\(c.id)")
        _ = block(on: .recv(c))
        requestedStop = nil
        return .blocked
    }

    func channelClose(_ c: ChannelObj) -> Value {
        if c.closed { return .nil }
        c.closed = true
        while let t = popReceiver(c) {
            if t.recvExit >= 0 {
                t.active.topFrame.pointee.ip = t.recvExit
                t.recvExit = -1
            }
            wake(t, with: .nil, by: currentTask)
        }
        while let s = popSender(c) {
            wakeThrowing(s.task, fail("send on closed channel").value, by: currentTask)
        }
        return .nil
    }
}
