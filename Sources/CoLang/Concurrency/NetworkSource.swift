// The network wait source: the sockets tasks wait on, watched in the scheduler's one poll(2).
import Glibc

/// What a task waiting on a socket wants from it (in its `WaitTarget.socket`).
enum SocketOp: Equatable {
    /// `l.accept()` or `for c in l`.
    case accept
    /// `connect(host, port)`, until the connection is made or refused.
    case connect
    /// `c.read()`.
    case read
    /// `c.read_line()` or `for line in c`.
    case readLine
    /// `c.write(s)`, until the socket's `sent` count reaches `until` (the end of its bytes).
    case write(until: Int)

    /// Whether the op waits for the socket to be readable (else: writable).
    var wantsInput: Bool {
        switch self {
        case .accept, .read, .readLine: return true
        case .connect, .write: return false
        }
    }

    /// How a wake-up says the socket was ready: `data from 127.0.0.1:54321`.
    func readyWords(_ s: SocketObj) -> String {
        switch self {
        case .accept: return "a client on \(s.address)"
        case .connect: return "connected to \(s.address)"
        case .read, .readLine: return "data from \(s.address)"
        case .write: return "sent to \(s.address)"
        }
    }

    /// How `:tasks`, traces and timelines say it: `reading from 127.0.0.1:54321`.
    func words(_ s: SocketObj) -> String {
        switch self {
        case .accept: return "accepting on \(s.address)"
        case .connect: return "connecting to \(s.address)"
        case .read, .readLine: return "reading from \(s.address)"
        case .write: return "writing to \(s.address)"
        }
    }
}

/// The sockets with waiting tasks. The loop asks it for one `pollfd` per such socket (readable
/// for reads and accepts, writable for writes and connects; level-triggered), and after the poll
/// it tries each ready task's operation again, in the order the tasks started waiting, through
/// `retry` (the VM's `retrySocketWait`): the operation finishes (the task is woken) or, when
/// the socket had less to give than it needs, the task waits on.
///
/// One `poll(2)` over every watched socket costs O(sockets) a turn, which is fine for the
/// thousands of connections of the benchmarks; epoll would make it O(ready sockets), but Swift's
/// Glibc module does not show it (a C shim would).
final class NetworkSource: WaitSource {
    /// Sockets that have (or recently had) waiting tasks, each once (`isWatched`); ones whose
    /// waiters are gone are dropped when the next poll is prepared.
    private var watched: [SocketObj] = []
    /// The sockets of the last `addDescriptors`, in the order of their `pollfd`s.
    private var polled: [SocketObj] = []
    /// Tasks now waiting on some socket.
    private(set) var waitingTasks = 0
    private var sequence = 0
    /// Tries a waiting task's socket operation again (set by the VM).
    var retry: (TaskObj) -> Void = { _ in }

    /// A descriptor (on /dev/null) held back for `dropOneClient`; -1 until the first `listen`.
    private var spare: Int32 = -1

    deinit {
        if spare >= 0 { close(spare) }
    }

    /// Opens the spare descriptor, once (at the first `listen`).
    func keepSpareDescriptor() {
        if spare < 0 { spare = open("/dev/null", O_RDONLY | O_CLOEXEC) }
    }

    /// The process is out of descriptors while clients wait on `listener`: none can be accepted,
    /// and waiting would spin (the listener stays readable) while failing would end a server.
    /// So the spare descriptor is freed to accept one client and close it at once (libuv's
    /// trick): that client sees its connection closed, the server goes on. Returns 0 when a
    /// client was dropped, else the `errno` of that accept (EAGAIN: nobody was waiting), or
    /// `EMFILE` when there is no spare.
    func dropOneClient(_ listener: Int32) -> Int32 {
        guard spare >= 0 else { return EMFILE }
        close(spare)
        let c = accept(listener, nil, nil)
        let code = c < 0 ? errno : 0
        if c >= 0 { close(c) }
        spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
        return code
    }

    /// Whether any task waits on the network (the program is then alive, never deadlocked).
    var isWatching: Bool { waitingTasks > 0 }

    /// `t` waits on `s` (from `Scheduler.block`).
    func add(_ t: TaskObj, to s: SocketObj) {
        sequence += 1
        t.waitSequence = sequence
        s.waiters.append(t)
        waitingTasks += 1
        if !s.isWatched {
            s.isWatched = true
            watched.append(s)
        }
    }

    /// `t` no longer waits on `s` (its operation finished, or it was cancelled).
    func remove(_ t: TaskObj, from s: SocketObj) {
        guard let i = s.waiters.firstIndex(where: { $0 === t }) else { return }
        s.waiters.remove(at: i)
        waitingTasks -= 1
    }

    /// Every task waiting on `s`, which is being closed: the caller wakes them.
    func removeAll(from s: SocketObj) -> [TaskObj] {
        let tasks = s.waiters
        s.waiters = []
        waitingTasks -= tasks.count
        return tasks
    }

    func nextDeadline() -> Double? { nil }

    func addDescriptors(to fds: inout [pollfd]) {
        polled.removeAll(keepingCapacity: true)
        watched.removeAll { s in
            if s.waiters.isEmpty || s.isClosed {
                s.isWatched = false
                return true
            }
            return false
        }
        for s in watched {
            var events: Int32 = 0
            for t in s.waiters {
                guard case .socket(_, let op) = t.waitingOn else { continue }
                events |= op.wantsInput ? Int32(POLLIN) : Int32(POLLOUT)
            }
            fds.append(pollfd(fd: s.fd, events: Int16(events), revents: 0))
            polled.append(s)
        }
    }

    func dispatch(_ fds: ArraySlice<pollfd>, now: Double, scheduler: Scheduler) {
        var due: [TaskObj] = []
        for (s, fd) in zip(polled, fds) where fd.revents != 0 {
            let revents = Int32(fd.revents)
            let failed = revents & Int32(POLLERR | POLLHUP | POLLNVAL) != 0
            for t in s.waiters {
                guard case .socket(_, let op) = t.waitingOn else { continue }
                let ready = revents & (op.wantsInput ? Int32(POLLIN) : Int32(POLLOUT)) != 0
                if ready || failed { due.append(t) }
            }
        }
        polled.removeAll(keepingCapacity: true)
        if due.count > 1 { due.sort { $0.waitSequence < $1.waitSequence } }
        for t in due where t.status == .blocked {
            if case .socket = t.waitingOn { retry(t) }
        }
    }
}
