// TCP sockets as CoLang values: a listener or a connection around one non-blocking descriptor,
// with the bytes read but not yet taken and the bytes not yet sent (docs/reference.md, "Network").
import Collections
import Glibc

/// A listening socket (`listen`) or a connection (`connect`, `accept`). The descriptor is
/// non-blocking and close-on-exec; it is closed by `close()`, or when the object is collected.
final class SocketObj: Obj {
    enum Kind { case listener, connection }
    let kind: Kind
    /// The descriptor, or -1 once closed.
    private(set) var fd: Int32
    /// A connection's other end (`"127.0.0.1:54321"`, kept after close); a listener's own address.
    let address: String
    /// A listener's port (the one picked for port 0).
    let port: Int

    /// Received bytes not yet returned: `inbox[inboxStart...]`.
    var inbox: [UInt8] = []
    var inboxStart = 0
    /// How far past `inboxStart` a `read_line` already looked for a newline.
    var scanned = 0
    /// The peer closed its side: no byte will arrive after `inbox`.
    var atEnd = false
    /// Bytes handed to `write` but not sent yet: `outbox[outboxStart...]`.
    var outbox: [UInt8] = []
    var outboxStart = 0
    /// Bytes handed to `write` since the start, and bytes sent: a writer waits until `sent`
    /// reaches the total at the end of its own bytes.
    var queued = 0
    var sent = 0
    /// Tasks waiting on this socket, in the order they started waiting.
    var waiters: [TaskObj] = []
    /// Whether the network source's list holds it.
    var isWatched = false
    /// A send failure not reported yet (`errno`), see `sendNow`.
    var lastError: Int32 = 0

    init(kind: Kind, fd: Int32, address: String, port: Int) {
        self.kind = kind; self.fd = fd; self.address = address; self.port = port
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    var isClosed: Bool { fd < 0 }
    var unreadCount: Int { inbox.count - inboxStart }
    var unsentCount: Int { outbox.count - outboxStart }

    /// Closes the descriptor (a second close does nothing). Buffered bytes are dropped.
    func closeDescriptor() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
        inbox = []; inboxStart = 0; scanned = 0
        outbox = []; outboxStart = 0
    }

    /// Drops the first `n` unread bytes, compacting the buffer when most of it is consumed.
    func consume(_ n: Int) {
        inboxStart += n
        scanned = max(0, scanned - n)
        if inboxStart == inbox.count {
            inbox.removeAll(keepingCapacity: inbox.capacity <= SocketObj.chunk)
            inboxStart = 0
        } else if inboxStart > SocketObj.chunk && inboxStart * 2 > inbox.count {
            inbox.removeSubrange(0..<inboxStart)
            inboxStart = 0
        }
    }

    /// Drops the first `n` unsent bytes (they were sent).
    func markSent(_ n: Int) {
        outboxStart += n
        sent += n
        if outboxStart == outbox.count {
            outbox.removeAll(keepingCapacity: outbox.capacity <= SocketObj.chunk)
            outboxStart = 0
        } else if outboxStart > SocketObj.chunk && outboxStart * 2 > outbox.count {
            outbox.removeSubrange(0..<outboxStart)
            outboxStart = 0
        }
    }

    /// The most bytes one `read` returns, and one `recv` asks for.
    static let chunk = 65_536
    /// The longest line `read_line` waits for; a longer one is an error (Python's streams stop
    /// at 64 KiB, Go's `bufio.Scanner` too; a teaching language can afford more).
    static let maxLine = 1 << 20

    override var estimatedSize: Int { 240 + inbox.capacity + outbox.capacity + waiters.capacity * 8 }
    override func trace(_ gc: Collector) {
        for t in waiters { gc.markObject(t) }
    }
}

/// An IPv4 or IPv6 socket address, parsed from a host (an IP address or `localhost`) and a port.
struct SocketAddress {
    var storage = sockaddr_storage()
    var length: socklen_t
    var family: Int32

    /// nil when `host` is not an IP address or `localhost` (CoLang does no name lookups: they
    /// would block the whole loop).
    init?(host: String, port: Int) {
        let name = host == "localhost" ? "127.0.0.1" : host
        let portBytes = in_port_t(UInt16(port).bigEndian)
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET, name, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = portBytes
            self.init(AF_INET, v4)
        } else if inet_pton(AF_INET6, name, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = portBytes
            self.init(AF_INET6, v6)
        } else {
            return nil
        }
    }

    /// `address` (a `sockaddr_in` or `sockaddr_in6`) copied into the storage.
    private init<Address>(_ family: Int32, _ address: Address) {
        self.family = family
        length = socklen_t(MemoryLayout<Address>.size)
        withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: address) { dst.copyMemory(from: $0) } }
    }

    /// Wraps an address the system filled in (`accept`, `getsockname`).
    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
        self.family = Int32(storage.ss_family)
    }

    /// Calls `body` with the address as a `sockaddr` pointer.
    func withPointer<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }

    var port: Int {
        withUnsafeBytes(of: storage) { raw in
            family == AF_INET6
                ? Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
                : Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
        }
    }

    /// `127.0.0.1:8080`, or `[::1]:8080`.
    var text: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET6 {
                var a = raw.load(as: sockaddr_in6.self).sin6_addr
                _ = inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
            } else {
                var a = raw.load(as: sockaddr_in.self).sin_addr
                _ = inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
            }
        }
        let host = String(cString: buffer)
        return family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Thin wrappers over the socket calls, each returning the descriptor or -1 with `errno` set.
enum SocketCalls {
    /// A new non-blocking, close-on-exec TCP socket for `family`.
    static func stream(_ family: Int32) -> Int32 {
        socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32 = 1) {
        var v = value
        _ = setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Accepts one pending connection, made non-blocking and close-on-exec (Swift's Glibc does
    /// not show `accept4`, so this is two more calls). Returns -1 with `errno` set.
    static func accept(_ fd: Int32) -> (fd: Int32, address: SocketAddress?) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let c = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(fd, $0, &length) }
        }
        if c < 0 { return (-1, nil) }
        _ = fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK)
        _ = fcntl(c, F_SETFD, FD_CLOEXEC)
        setOption(c, Int32(IPPROTO_TCP), TCP_NODELAY)
        return (c, SocketAddress(storage: storage, length: length))
    }

    /// The local address of `fd`.
    static func localAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return r == 0 ? SocketAddress(storage: storage, length: length) : nil
    }

    /// The pending error of a socket (a finished non-blocking connect), 0 for none.
    static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0 { return errno }
        return code
    }
}
