// The network calls: listen, connect, accept, read, read_line, write, close (docs/reference.md,
// "Network"). Each operation is tried at once; one that cannot finish blocks the calling task on
// its socket (`WaitTarget.socket`), and the network source tries it again when the socket is ready.
import Glibc

/// How one try of a socket operation ended.
enum SocketAttempt {
    /// Finished with this value (`nil`: end of stream, or a closed listener).
    case done(Value)
    /// Failed with this runtime error.
    case failed(VMError)
    /// The socket has less to give (or take) than the operation needs: wait until it is ready.
    case wait
}

extension VM {
    func installNetworkBuiltins() {
        native("listen", 2, 2) { vm, a throws(VMError) in try vm.listen(a[0], a[1]) }
        controlNative("connect", 2, 2) { vm, a throws(VMError) in try vm.connect(a[0], a[1]) }
        controlMethod(.listener, "accept", 0, 0) { vm, a throws(VMError) in
            try vm.start(a[0].asSocket, .accept)
        }
        method(.listener, "close", 0, 0) { vm, a in vm.closeSocket(a[0].asSocket) }
        controlMethod(.connection, "read", 0, 0) { vm, a throws(VMError) in try vm.start(a[0].asSocket, .read) }
        controlMethod(.connection, "read_line", 0, 0) { vm, a throws(VMError) in
            try vm.start(a[0].asSocket, .readLine)
        }
        controlMethod(.connection, "write", 1, 1) { vm, a throws(VMError) in
            let s = a[0].asSocket
            let text = try vm.stringArg(a[1], "write's argument")
            if s.isClosed { throw vm.fail("write on closed connection") }
            try vm.chargeText(text.utf8.count)
            return try vm.start(s, vm.queueForWriting(s, text))
        }
        method(.connection, "close", 0, 0) { vm, a in vm.closeSocket(a[0].asSocket) }
        scheduler.network.retry = { [unowned self] t in self.retrySocketWait(t) }
    }

    // MARK: - Opening sockets

    /// A new socket, owned by the heap like every object (and counted toward a collection).
    private func trackSocket(_ s: SocketObj) -> SocketObj {
        heap.noteDescriptor()
        return heap.track(s)
    }

    /// `listen(host, port)`: a listening socket, its port read back for port 0.
    func listen(_ hostValue: Value, _ portValue: Value) throws(VMError) -> Value {
        let address = try socketAddress(hostValue, portValue, "listen")
        let target = address.text
        let fd = SocketCalls.stream(address.family)
        if fd < 0 { throw fail("\(VM.reason(errno)) (\(target))") }
        SocketCalls.setOption(fd, SOL_SOCKET, SO_REUSEADDR)
        let failure = address.withPointer { p, n in bind(fd, p, n) != 0 || Glibc.listen(fd, SOMAXCONN) != 0 } ? errno : 0
        if failure != 0 {
            Glibc.close(fd)
            throw fail("\(VM.reason(failure)) (\(target))")
        }
        let local = SocketCalls.localAddress(fd) ?? address
        scheduler.network.keepSpareDescriptor()
        let s = trackSocket(SocketObj(kind: .listener, fd: fd, address: local.text, port: local.port))
        return Value(object: s, tag: .listener)
    }

    /// `connect(host, port)`: a connection, once the other side has accepted it.
    func connect(_ hostValue: Value, _ portValue: Value) throws(VMError) -> NativeResult {
        let address = try socketAddress(hostValue, portValue, "connect")
        let target = address.text
        let fd = SocketCalls.stream(address.family)
        if fd < 0 { throw fail("\(VM.reason(errno)) (\(target))") }
        SocketCalls.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY)
        let s = trackSocket(SocketObj(kind: .connection, fd: fd, address: target, port: address.port))
        let value = Value(object: s, tag: .connection)
        while true {
            if address.withPointer({ p, n in Glibc.connect(fd, p, n) }) == 0 { return .value(value) }
            if errno == EINTR { continue }
            if errno == EINPROGRESS { return try start(s, .connect) }
            let code = errno
            s.closeDescriptor()
            throw fail("\(VM.reason(code)) (\(target))")
        }
    }

    /// The address of `listen` or `connect`: a host that is an IP address or `localhost`, and a
    /// port from 0 to 65535. Under `--sandbox`, the sandbox's error instead.
    private func socketAddress(_ hostValue: Value, _ portValue: Value, _ name: String) throws(VMError) -> SocketAddress {
        if options.sandbox { throw fail(VM.sandboxMessage) }
        let host = try stringArg(hostValue, "\(name)'s host")
        let port = try intArg(portValue, "\(name)'s port")
        guard (0...65535).contains(port) else { throw fail("port must be from 0 to 65535, not \(port)") }
        guard let address = SocketAddress(host: host, port: Int(port)) else {
            throw fail("cannot \(name) \(name == "listen" ? "on" : "to") '\(host)': the host must be an IP address or localhost")
        }
        return address
    }

    // MARK: - Trying an operation

    /// Tries `op` on `s` now: its result, or the current task waits on the socket.
    func start(_ s: SocketObj, _ op: SocketOp) throws(VMError) -> NativeResult {
        switch attempt(op, on: s) {
        case .done(let v): return .value(v)
        case .failed(let e): throw e
        case .wait:
            currentTask.loopExit = -1
            return .block(on: .socket(s, op))
        }
    }

    /// `for c in l` and `for line in c`: the next connection or line, or at the end (a closed
    /// listener, the end of the stream) a jump to `exit`.
    func socketIteration(_ s: SocketObj, _ op: SocketOp, exit: Int, _ r: inout Registers) throws(VMError) -> ExecStop? {
        switch attempt(op, on: s) {
        case .done(let v):
            r.push(v)
            if v.isNil { r.ip = r.code + exit }
            return nil
        case .failed(let e): throw e
        case .wait:
            save(r)
            currentTask.loopExit = exit
            return block(on: .socket(s, op))
        }
    }

    /// The network source found `t`'s socket ready: tries its operation again and wakes it
    /// when it finished or failed.
    func retrySocketWait(_ t: TaskObj) {
        guard case .socket(let s, let op) = t.waitingOn else { return }
        let outcome = attempt(op, on: s)
        if case .wait = outcome { return }
        scheduler.network.remove(t, from: s)
        finishSocketWait(t, outcome)
    }

    /// Wakes `t` with the outcome of its socket operation (a `nil` in a `for` loop ends it).
    /// `by` is the task that closed the socket; nil when the socket itself was ready.
    private func finishSocketWait(_ t: TaskObj, _ outcome: SocketAttempt, by closer: TaskObj? = nil) {
        guard case .socket(let s, let op) = t.waitingOn else { return }
        let words = closer == nil ? op.readyWords(s) : nil
        switch outcome {
        case .done(let v):
            if v.isNil && t.loopExit >= 0 { t.active.topFrame.pointee.ip = t.loopExit }
            t.loopExit = -1
            scheduler.wake(t, with: v, by: closer, network: words)
        case .failed(let e):
            t.loopExit = -1
            scheduler.wake(t, raising: e.value, by: closer, network: words)
        case .wait:
            break
        }
    }

    /// One try of `op` on `s`, never waiting.
    func attempt(_ op: SocketOp, on s: SocketObj) -> SocketAttempt {
        switch op {
        case .accept: return acceptNow(s)
        case .connect: return connectFinished(s)
        case .read: return readNow(s)
        case .readLine: return readLineNow(s)
        case .write(let until): return flush(s, until: until)
        }
    }

    private func acceptNow(_ l: SocketObj) -> SocketAttempt {
        while true {
            if l.isClosed { return .done(.nil) }
            let (fd, address) = SocketCalls.accept(l.fd)
            if fd >= 0 {
                let c = trackSocket(SocketObj(kind: .connection, fd: fd, address: address?.text ?? "?", port: address?.port ?? 0))
                return .done(Value(object: c, tag: .connection))
            }
            var code = errno
            switch code {
            case EAGAIN, EWOULDBLOCK: return .wait
            case EINTR, ECONNABORTED, EPROTO: continue  // that client is gone: take the next one
            case EMFILE, ENFILE:
                // Out of descriptors: refuse the waiting client rather than end the server.
                code = scheduler.network.dropOneClient(l.fd)
                if code == 0 { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return .wait }
                return .failed(fail("\(VM.reason(code)) (accepting on \(l.address))"))
            default: return .failed(fail("\(VM.reason(code)) (accepting on \(l.address))"))
            }
        }
    }

    private func connectFinished(_ s: SocketObj) -> SocketAttempt {
        if s.isClosed { return .failed(fail("connection closed while connecting (\(s.address))")) }
        let code = SocketCalls.pendingError(s.fd)
        if code == EINPROGRESS || code == EALREADY { return .wait }
        if code != 0 {
            s.closeDescriptor()
            return .failed(fail("\(VM.reason(code)) (\(s.address))"))
        }
        // Writable with no error can also mean "not connected yet" on some systems: ask.
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let connected = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(s.fd, $0, &length) }
        }
        if connected != 0 && errno == ENOTCONN { return .wait }
        return .done(Value(object: s, tag: .connection))
    }

    /// Reads what the system has for `s` into its buffer: true when bytes arrived or the stream
    /// ended, false when nothing is there yet; a failure is returned as `error`.
    private func receive(_ s: SocketObj, error: inout SocketAttempt?) -> Bool {
        while true {
            let n = s.receiveInto(&scratch)
            if n > 0 {
                s.inbox.append(contentsOf: scratch[0..<n])
                return true
            }
            if n == 0 {
                s.atEnd = true
                return true
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return false
            default:
                error = .failed(fail("\(VM.reason(errno)) (\(s.address))"))
                return false
            }
        }
    }

    private func readNow(_ s: SocketObj) -> SocketAttempt {
        if s.isClosed { return .failed(fail("read on closed connection")) }
        while true {
            if s.unreadCount > 0 {
                let end = s.atEnd ? s.inbox.count : VM.utf8Boundary(s.inbox, from: s.inboxStart, limit: SocketObj.chunk)
                if end > s.inboxStart {
                    return .done(takeText(s, upTo: end, skip: 0))
                }
            }
            if s.atEnd { return .done(.nil) }
            var failure: SocketAttempt?
            if !receive(s, error: &failure) { return failure ?? .wait }
        }
    }

    private func readLineNow(_ s: SocketObj) -> SocketAttempt {
        if s.isClosed { return .failed(fail("read on closed connection")) }
        while true {
            if let newline = s.findNewline() {
                var end = newline
                if end > s.inboxStart && s.inbox[end - 1] == 13 { end -= 1 }  // \r\n
                return .done(takeText(s, upTo: end, skip: newline + 1 - end))
            }
            if s.atEnd {
                if s.unreadCount == 0 { return .done(.nil) }
                var end = s.inbox.count
                if s.inbox[end - 1] == 13 { end -= 1 }
                return .done(takeText(s, upTo: end, skip: s.inbox.count - end))
            }
            if s.unreadCount > SocketObj.maxLine {
                return .failed(fail("line too long: more than \(SocketObj.maxLine / 1024) KiB without a newline (\(s.address))"))
            }
            var failure: SocketAttempt?
            if !receive(s, error: &failure) { return failure ?? .wait }
        }
    }

    /// The unread bytes up to `end` as a string (invalid UTF-8 becomes U+FFFD), consuming them
    /// and `skip` bytes more (a line's end).
    private func takeText(_ s: SocketObj, upTo end: Int, skip: Int) -> Value {
        let text = String(decoding: s.inbox[s.inboxStart..<end], as: UTF8.self)
        s.consume(end - s.inboxStart + skip)
        return newString(text)
    }

    /// Hands `text` to `s` for sending and returns the write's wait: until all bytes so far
    /// are sent. Sends at once what the socket takes (when nothing else waits to be sent).
    private func queueForWriting(_ s: SocketObj, _ text: String) -> SocketOp {
        let bytes = text.utf8
        s.queued += bytes.count
        if s.unsentCount == 0 {
            // Nothing queued before: straight from the string's own bytes (a string whose bytes
            // are not contiguous goes through the outbox, sent by the `flush` that follows).
            let taken = bytes.withContiguousStorageIfAvailable { s.sendNow($0) } ?? 0
            s.sent += taken
            if taken < bytes.count { s.outbox.append(contentsOf: bytes.dropFirst(taken)) }
        } else {
            s.outbox.append(contentsOf: bytes)
        }
        return .write(until: s.queued)
    }

    /// Sends what `s` will take from its unsent bytes; done once `sent` reaches `until`.
    private func flush(_ s: SocketObj, until: Int) -> SocketAttempt {
        if s.isClosed { return .failed(fail("write on closed connection")) }
        while s.unsentCount > 0 && s.sent < until {
            let n = s.outbox.withUnsafeBufferPointer { all in
                s.sendNow(UnsafeBufferPointer(rebasing: all[s.outboxStart...]))
            }
            if n > 0 {
                s.markSent(n)
                continue
            }
            if s.lastError == 0 { return .wait }
            let code = s.lastError
            s.lastError = 0
            let reason = code == EPIPE ? VM.reason(ECONNRESET) : VM.reason(code)
            return .failed(fail("\(reason) (\(s.address))"))
        }
        if s.lastError != 0 {
            // The first try failed before anything waited.
            let code = s.lastError
            s.lastError = 0
            return .failed(fail("\(code == EPIPE ? VM.reason(ECONNRESET) : VM.reason(code)) (\(s.address))"))
        }
        return s.sent >= until ? .done(.nil) : .wait
    }

    // MARK: - Closing

    /// `close()`: closes the socket; tasks waiting to accept or read from it get `nil` (their
    /// loops end), tasks waiting to write raise `write on closed connection`.
    func closeSocket(_ s: SocketObj) -> Value {
        if s.isClosed { return .nil }
        s.closeDescriptor()
        for t in scheduler.network.removeAll(from: s) {
            guard case .socket(_, let op) = t.waitingOn else { continue }
            finishSocketWait(t, op.wantsInput ? .done(.nil) : .failed(fail("write on closed connection")), by: currentTask)
        }
        return .nil
    }

    /// The end of the longest prefix of `bytes[start...]` of at most `limit` bytes that does not
    /// split a UTF-8 sequence (a sequence cut by the end of what has arrived is kept for later).
    /// Only the start of a sequence that more bytes can still complete is kept: a byte that
    /// never begins one (0xC0, 0xC1, 0xF5 to 0xFF), or a lead whose second byte already rules
    /// the sequence out, goes now (as U+FFFD), else a peer that ends with it would wait for ever.
    static func utf8Boundary(_ bytes: [UInt8], from start: Int, limit: Int) -> Int {
        let end = min(bytes.count, start + limit)
        // Step back over at most three continuation bytes to the sequence's first byte.
        var i = end - 1
        var back = 0
        while i >= start && back < 3 && bytes[i] & 0xC0 == 0x80 { i -= 1; back += 1 }
        guard i >= start else { return end }
        let lead = bytes[i]
        let length = lead >= 0xF5 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 1
        guard length > 1 && i + length > end else { return end }
        if i + 1 < end {
            // The second byte's range (Unicode table 3-7: no overlong forms, no surrogates,
            // nothing past U+10FFFF).
            let second = bytes[i + 1]
            let low: UInt8 = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80
            let high: UInt8 = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF
            if second < low || second > high { return end }
        }
        return i
    }

    /// The system's reason for `code`, in lower case as Python prints it: "no such file or directory".
    static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}

extension SocketObj {
    /// `recv` into `buffer` (its whole size); the byte count, 0 at end of stream, -1 with `errno`.
    func receiveInto(_ buffer: inout [UInt8]) -> Int {
        buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Sends as much of `bytes` as the socket takes now, never raising SIGPIPE. Returns the
    /// count sent; a failure other than a full buffer is kept in `lastError`.
    func sendNow(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n > 0 {
                offset += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK { lastError = errno }
            break
        }
        return offset
    }

    /// The index of the first `\n` among the unread bytes, remembering how far it looked.
    func findNewline() -> Int? {
        let from = inboxStart + scanned
        guard from < inbox.count else { return nil }
        let found: Int? = inbox.withUnsafeBufferPointer { buf in
            guard let p = memchr(buf.baseAddress! + from, 10, buf.count - from) else { return nil }
            return buf.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
        }
        scanned = (found ?? inbox.count) - inboxStart
        return found
    }
}
