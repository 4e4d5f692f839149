// Channel operations: hand-off to waiting receivers, buffering, blocking and closing.

extension VM {
    func makeChannel(capacity: Int) -> Value {
        let c = heap.track(ChannelObj(id: nextChannelId, capacity: capacity))
        recorder?.channelCreated(c)
        nextChannelId += 1
        return Value(object: c, tag: .channel)
    }

    func channelSend(_ c: ChannelObj, _ v: Value) throws(VMError) -> NativeResult {
        if v.isNil { throw fail("cannot send nil on a channel") }
        if c.closed { throw fail("send on closed channel") }
        if let receiver = scheduler.takeReceiver(c) {
            // Hands `v` to a receiver blocked on `c`, continuing its `recv`, `for` loop or select.
            complete(receiver, on: c, .received(v), by: currentTask)
            return .value(.nil)
        }
        if c.buffer.count < c.capacity {
            c.buffer.append(v)
            heap.grownBytes &+= Heap.grownBytesPerListItem
            return .value(.nil)
        }
        return .block(on: .send(c, v))
    }

    /// Takes the next value if one is available now, waking a sender whose value moves up.
    func takeNow(_ c: ChannelObj) -> Value? {
        if let v = c.buffer.popFirst() {
            if let s = scheduler.takeSender(c) {
                c.buffer.append(s.value)
                heap.grownBytes &+= Heap.grownBytesPerListItem
                complete(s.task, on: c, .sent, by: currentTask)
            }
            return v
        }
        if let s = scheduler.takeSender(c) {
            complete(s.task, on: c, .sent, by: currentTask)
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
        closeChannel(c, by: currentTask)
        return .nil
    }

    /// Closes `c` (`waker` nil: an `after` timer): its receivers get `nil` (a `for` loop ends, a
    /// select sees `closed`), its senders raise `send on closed channel`.
    func closeChannel(_ c: ChannelObj, by waker: TaskObj?) {
        if c.closed { return }
        c.closed = true
        while let t = scheduler.takeReceiver(c) {
            if t.loopExit >= 0 {
                t.active.topFrame.pointee.ip = t.loopExit
                t.loopExit = -1
            }
            complete(t, on: c, .closed, by: waker)
        }
        while let s = scheduler.takeSender(c) {
            complete(s.task, on: c, .sendOnClosed, by: waker)
        }
    }
}
