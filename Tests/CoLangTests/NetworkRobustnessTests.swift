// Bad input never hurts a CoLang server (docs/reference.md, "Network"): a line-echo server runs as a
// `colang` child process on port 0, is attacked from Swift with plain blocking sockets (garbage,
// half lines, a 10 MB line, floods of connections, a client that never reads, a reset mid-write,
// 10,000 short connections), and must still be running and serving a fresh client afterwards,
// with as many descriptors open as before.
import Foundation
import Glibc
import Testing

// MARK: - The server

/// A CoLang line-echo server running as a child process; killed when the value goes away.
final class EchoServer {
    /// Echoes each line; a handler's error is printed as `handler: MESSAGE`, then the connection
    /// is closed. Prints its port first.
    static let echo = """
        let l = listen("127.0.0.1", 0)
        print(l.port)
        for c in l {
          spawn fn() {
            try { for line in c { c.write(line + "\\n") } } catch e { print("handler: ${e.message}") }
            c.close()
          }()
        }

        """

    /// The same without `try`: a handler's error ends only that task (`error in task ...` on
    /// stderr) and its connection is left to the collector.
    static let uncaught = """
        let l = listen("127.0.0.1", 0)
        print(l.port)
        fn handle(c) {
          for line in c { c.write(line + "\\n") }
          c.close()
        }
        for c in l { spawn handle(c) }

        """

    /// Echoes whatever `read()` returns, in brackets: `[ab]`.
    static let chunks = """
        let l = listen("127.0.0.1", 0)
        print(l.port)
        for c in l {
          spawn fn() {
            try {
              let s = c.read()
              while s != nil { c.write("[" + s + "]"); s = c.read() }
            } catch e { print("handler: ${e.message}") }
            c.close()
          }()
        }

        """

    let process = Process()
    let scratch: TemporaryDirectory
    private(set) var port: UInt16 = 0
    /// Whether it answers as `chunks` does, not line by line.
    let bracketed: Bool

    /// Starts `colang arguments script` (with at most `descriptorLimit` open descriptors, when
    /// given) and waits (up to `timeout` seconds) for the port on its stdout.
    init(script: String = EchoServer.echo, arguments: [String] = [], timeout: Double = 10, descriptorLimit: Int? = nil) throws {
        let binary = try #require(Colang.path, "build colang first: swift build")
        scratch = try TemporaryDirectory()
        bracketed = script == EchoServer.chunks
        let file = try scratch.write("server.co", script)
        if let descriptorLimit {
            // The shell sets the limit and becomes colang: the process is still this one.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", binary] + arguments + [file]
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments + [file]
        }
        process.environment = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        process.standardInput = FileHandle.nullDevice
        // Files, not pipes: a pipe nobody drains would make the server's prints block it.
        process.standardOutput = try scratch.fileHandle(named: "stdout", contents: "", forReading: false)
        process.standardError = try scratch.fileHandle(named: "stderr", contents: "", forReading: false)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && process.isRunning {
            if let first = stdout.split(separator: "\n", omittingEmptySubsequences: false).first,
                stdout.contains("\n"), let p = UInt16(first)
            {
                port = p
                return
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        stop()
        Issue.record("the server printed no port within \(timeout) s: stdout \(stdout.debugDescription), stderr \(stderr.debugDescription)")
        throw Failed()
    }

    struct Failed: Error {}

    deinit { stop() }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var stdout: String { (try? scratch.read("stdout")) ?? "" }
    var stderr: String { (try? scratch.read("stderr")) ?? "" }

    /// Kills the server and waits for it.
    func stop() {
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits up to `timeout` seconds for `condition` on the server's stdout.
    @discardableResult
    func waitForOutput(timeout: Double = 5, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if condition(stdout) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        } while Date() < deadline
        return condition(stdout)
    }

    /// The server's open descriptors (entries of /proc/PID/fd).
    var openDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// The end of every test: the process is alive, a fresh client gets its lines echoed, and
    /// nothing reached stderr unless `quietStderr` is false.
    func expectHealthy(quietStderr: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(
            isRunning, "the server died: status \(process.isRunning ? 0 : process.terminationStatus), stderr \(stderr)",
            sourceLocation: sourceLocation)
        guard isRunning else { return }
        do {
            let c = try Client(port: port)
            for line in ["hello", "wörld \u{1F600}", ""] {
                try c.send(line + "\n")
                if bracketed {
                    // `[` and `]` around each chunk `read` returned: the text between them.
                    var text: [UInt8] = []
                    while text.count < line.utf8.count + 1 {
                        let chunk = try c.receive()
                        if chunk.isEmpty { break }
                        text += chunk.filter { $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "]") }
                    }
                    #expect(String(decoding: text, as: UTF8.self) == line + "\n", sourceLocation: sourceLocation)
                } else {
                    #expect(try c.readLine() == line, sourceLocation: sourceLocation)
                }
            }
            c.close()
        } catch {
            Issue.record("a fresh client was not served: \(error); stderr \(stderr)", sourceLocation: sourceLocation)
        }
        #expect(isRunning, sourceLocation: sourceLocation)
        if quietStderr { #expect(stderr == "", sourceLocation: sourceLocation) }
    }
}

// MARK: - A blocking client

/// One blocking TCP connection to 127.0.0.1, with send and receive timeouts so that no test
/// hangs on a server that stopped answering.
final class Client {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        /// `errno` of the failed call (0: not a system error).
        var code: Int32 = 0
    }

    private(set) var fd: Int32
    private var buffered: [UInt8] = []

    init(port: UInt16, timeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw Failure(description: "socket: \(String(cString: strerror(errno)))", code: errno) }
        setTimeout(timeout)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if r != 0 {
            let code = errno
            Glibc.close(fd)
            fd = -1
            throw Failure(description: "connect: \(String(cString: strerror(code)))", code: code)
        }
    }

    deinit { close() }

    /// Receive and send timeouts, in seconds.
    func setTimeout(_ seconds: Double) {
        var t = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &t, socklen_t(MemoryLayout<timeval>.size))
    }

    /// This end's port: the one the server's messages name (`127.0.0.1:PORT`).
    var localPort: UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Sends all of `bytes` (never raising SIGPIPE).
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw Failure(description: "send: \(String(cString: strerror(errno))) after \(offset) bytes", code: errno)
            }
        }
    }

    /// Sends what the socket takes of `bytes` before the send timeout; the count sent.
    func sendSome(_ bytes: [UInt8]) -> Int {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
        }
        return offset
    }

    /// Reads up to the next `\n` (dropped) and decodes it; nil at end of stream.
    func readLine() throws -> String? {
        while true {
            if let i = buffered.firstIndex(of: 10) {
                let line = String(decoding: buffered[..<i], as: UTF8.self)
                buffered.removeSubrange(...i)
                return line
            }
            let chunk = try receive()
            if chunk.isEmpty { return nil }
            buffered += chunk
        }
    }

    /// Reads exactly `count` bytes (fewer at end of stream).
    func readBytes(_ count: Int) throws -> [UInt8] {
        while buffered.count < count {
            let chunk = try receive()
            if chunk.isEmpty { break }
            buffered += chunk
        }
        let taken = Array(buffered.prefix(count))
        buffered.removeFirst(taken.count)
        return taken
    }

    /// One `recv`: the bytes, empty at end of stream.
    func receive(max: Int = 65_536) throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: max)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, max, 0) }
            if n >= 0 { return Array(chunk[0..<n]) }
            if errno == EINTR { continue }
            throw Failure(description: "recv: \(String(cString: strerror(errno)))", code: errno)
        }
    }

    /// Reads until the server closes; true when it did before the timeout (a reset counts).
    func readsToEnd() -> Bool {
        while true {
            guard let chunk = try? receive() else { return errno == ECONNRESET }
            if chunk.isEmpty { return true }
        }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Closes with SO_LINGER {1, 0}: the peer gets a reset (RST), not an orderly end.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }
}

// MARK: - The attacks

@Suite("Network robustness: bad clients never hurt a server", .serialized)
struct NetworkRobustnessTests {
    /// The port line reaches the test while the server waits in `accept`: output is flushed
    /// before a real wait.
    @Test func thePortIsPrintedBeforeTheServerWaits() throws {
        let server = try EchoServer()
        server.expectHealthy()
    }

    /// The same under `--clock virtual`, where the loop waits for the network in real time too
    /// (docs/reference.md, "Network"): output is flushed before that wait as before a real-clock one.
    @Test func thePortIsPrintedBeforeAVirtualClockServerWaits() throws {
        let server = try EchoServer(arguments: ["--clock", "virtual"], timeout: 2)
        server.expectHealthy()
    }

    /// 1. Random bytes, invalid UTF-8 and NULs, then a close, on 60 connections; then bytes that
    /// are not UTF-8 come back as U+FFFD, and NULs as NULs.
    @Test func garbageThenClose() throws {
        let server = try EchoServer()
        var random = Robust.SplitMix(state: 2026)
        let nasty: [[UInt8]] = [
            [0], [0xFF], [0xFE], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [13], [10], [0x1B],
        ]
        for i in 0..<60 {
            let c = try Client(port: server.port)
            var bytes: [UInt8] = []
            let length = random.next(i % 10 == 0 ? 200_000 : 4_000)
            while bytes.count < length {
                if random.next(4) == 0 { bytes += nasty[random.next(nasty.count)] } else { bytes.append(UInt8(random.next(256))) }
            }
            _ = c.sendSome(bytes)
            if i % 3 == 0 { c.reset() } else { c.close() }
        }
        let c = try Client(port: server.port)
        try c.send([0x61, 0xFF, 0x00, 0x62, 0xC3, 0x0D, 0x0A, 0xE2, 0x82, 0x0A])
        #expect(try c.readBytes(9) == [0x61, 0xEF, 0xBF, 0xBD, 0x00, 0x62, 0xEF, 0xBF, 0xBD])
        #expect(try c.readLine() == "")  // the end of that line: its \r was taken off, its \n sent back
        #expect(try c.readLine() == "\u{FFFD}")  // a sequence cut by the line's end
        c.close()
        server.expectHealthy()
    }

    /// 1b. `read()` keeps back only a character cut short that more bytes can still complete:
    /// a byte that starts none (or a start already ruled out) comes back at once as U+FFFD,
    /// or a peer that ends with it and waits for an answer would wait for ever.
    @Test func readGivesAtOnceBytesThatStartNoCharacter() throws {
        let server = try EchoServer(script: EchoServer.chunks)
        let cases: [([UInt8], String)] = [
            ([0x61, 0xFF], "[a\u{FFFD}]"), ([0x61, 0xC0], "[a\u{FFFD}]"), ([0x61, 0xF8], "[a\u{FFFD}]"),
            ([0x61, 0xED, 0xA0], "[a\u{FFFD}\u{FFFD}]"), ([0x61, 0xE0, 0x80], "[a\u{FFFD}\u{FFFD}]"),
            ([0x61, 0xF4, 0x90], "[a\u{FFFD}\u{FFFD}]"),
        ]
        for (bytes, expected) in cases {
            let c = try Client(port: server.port, timeout: 2)
            try c.send(bytes)
            var got: [UInt8] = []
            while got.last != UInt8(ascii: "]") {
                guard let chunk = try? c.receive(), !chunk.isEmpty else { break }
                got += chunk
            }
            #expect(String(decoding: got, as: UTF8.self) == expected, "\(bytes)")
            c.close()
        }
        // The start of a character that may still be completed waits for the rest.
        let c = try Client(port: server.port, timeout: 2)
        try c.send([0x61, 0xF0, 0x9F, 0x98])
        #expect(try c.readBytes(3) == Array("[a]".utf8))
        try c.send([0x80])
        #expect(try c.readBytes(6) == Array("[\u{1F600}]".utf8))
        c.close()
        server.expectHealthy()
    }

    /// 2. A last line without `\n` is still a line; a half line on an open connection waits
    /// without holding up anyone else.
    @Test func halfLines() throws {
        let server = try EchoServer()
        let closing = try Client(port: server.port)
        try closing.send("abc")
        shutdown(closing.fd, Int32(SHUT_WR))
        #expect(try closing.readLine() == "abc")
        #expect(try closing.readLine() == nil)
        closing.close()

        let abandoned = try Client(port: server.port)
        try abandoned.send("abc")
        abandoned.close()

        let waiting = try Client(port: server.port)
        try waiting.send("abc")
        for _ in 0..<3 {
            let other = try Client(port: server.port)
            try other.send("ping\n")
            #expect(try other.readLine() == "ping")
            other.close()
        }
        try waiting.send("def\n")
        #expect(try waiting.readLine() == "abcdef")
        waiting.close()
        server.expectHealthy()
    }

    /// 3. A 10 MB line: `read_line` refuses it after 1 MiB with `line too long`, which the
    /// handler catches (or, without `try`, which ends that handler alone).
    @Test(arguments: [false, true])
    func aTenMegabyteLine(uncaught: Bool) throws {
        let server = try EchoServer(script: uncaught ? EchoServer.uncaught : EchoServer.echo)
        let c = try Client(port: server.port, timeout: 1)
        let peer = "127.0.0.1:\(c.localPort)"
        let message = "line too long: more than 1024 KiB without a newline (\(peer))"
        var line = [UInt8](repeating: UInt8(ascii: "x"), count: 10_000_000)
        line.append(10)
        let sent = c.sendSome(line)  // the server stops reading after 1 MiB: the rest may not go
        #expect(sent > 1 << 20)
        let other = try Client(port: server.port)
        try other.send("still here\n")
        #expect(try other.readLine() == "still here")
        if uncaught {
            let stderrDeadline = Date().addingTimeInterval(5)
            while !server.stderr.contains(message) && Date() < stderrDeadline { Thread.sleep(forTimeInterval: 0.02) }
            #expect(server.stderr.contains("error in task handle"), "stderr: \(server.stderr)")
            #expect(server.stderr.contains(message), "stderr: \(server.stderr)")
        } else {
            #expect(server.waitForOutput { $0.contains("handler: \(message)\n") }, "stdout: \(server.stdout)")
            #expect(c.readsToEnd(), "the handler did not close the connection")
        }
        c.close()
        other.close()
        server.expectHealthy(quietStderr: !uncaught)
    }

    /// 4. 2,000 connections opened and dropped in bursts of 200, some with a line, some with
    /// half a line, some reset; then the descriptors come back to where they were.
    @Test func manyConnectionsOpenedAndDropped() throws {
        let server = try EchoServer()
        server.expectHealthy()
        let baseline = server.openDescriptors
        var random = Robust.SplitMix(state: 4)
        for _ in 0..<10 {
            var burst: [Client] = []
            for _ in 0..<200 { burst.append(try Client(port: server.port)) }
            for c in burst {
                switch random.next(4) {
                case 0: _ = c.sendSome(Array("hello\n".utf8))
                case 1: _ = c.sendSome(Array("half a li".utf8))
                default: break
                }
            }
            for c in burst { if random.next(3) == 0 { c.reset() } else { c.close() } }
        }
        #expect(waitForDescriptors(of: server, toReach: baseline), "descriptors: \(baseline) before, \(server.openDescriptors) after")
        server.expectHealthy()
    }

    /// 4b. More clients than the server may open descriptors: the ones past the limit find
    /// their connection closed, and the server neither dies (`too many open files` used to end
    /// `for c in l`) nor spins, and serves again once descriptors are free.
    @Test func moreClientsThanDescriptors() throws {
        let server = try EchoServer(descriptorLimit: 24)
        var clients: [Client] = []
        for _ in 0..<60 { clients.append(try Client(port: server.port, timeout: 1)) }
        var served = 0
        var refused = 0
        for c in clients {
            do {
                try c.send("hi\n")
                if try c.readLine() == "hi" { served += 1 } else { refused += 1 }
            } catch {
                refused += 1
            }
        }
        #expect(served >= 10 && served < 24, "served \(served)")
        #expect(served + refused == 60)
        #expect(server.isRunning, "stderr: \(server.stderr)")
        for c in clients { c.close() }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(cpuSeconds(of: server.pid) < 2, "the server spun")
        server.expectHealthy()
    }

    /// The user and system CPU time `pid` has used, in seconds.
    private func cpuSeconds(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return -1 }
        // After the name: utime and stime, fields 14 and 15 of the line.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// 5. A client that sends and never reads: its handler waits in `write` once the buffers are
    /// full (without spinning), and another client still gets every echo at once.
    @Test func aClientThatNeverReads() throws {
        let server = try EchoServer()
        let greedy = try Client(port: server.port, timeout: 0.5)
        let line = Array((String(repeating: "0123456789abcdef", count: 1023) + "123456789abcde\n").utf8)  // 16 KiB
        var sent = 0
        let start = Date()
        while Date().timeIntervalSince(start) < 5 {
            let n = greedy.sendSome(line)
            sent += n
            if n < line.count { break }  // 0.5 s without room: the server stopped reading
        }
        #expect(Date().timeIntervalSince(start) < 5, "the server read \(sent) bytes and kept reading")
        let cpu = cpuSeconds(of: server.pid)
        Thread.sleep(forTimeInterval: 1)
        #expect(cpuSeconds(of: server.pid) - cpu < 0.2, "the waiting writer made the server spin")
        let polite = try Client(port: server.port, timeout: 2)
        for i in 0..<200 {
            let before = Date()
            try polite.send("line \(i)\n")
            #expect(try polite.readLine() == "line \(i)")
            #expect(Date().timeIntervalSince(before) < 1)
        }
        polite.close()
        greedy.close()  // unread data: a reset, which the waiting write reports
        #expect(server.waitForOutput { $0.contains("handler: connection reset by peer (127.0.0.1:") }, "stdout: \(server.stdout)")
        server.expectHealthy()
    }

    /// 6. A peer that resets while the server writes to it: no SIGPIPE, the handler gets
    /// `connection reset by peer (127.0.0.1:PORT)`, everyone else goes on.
    @Test func aPeerResetMidWrite() throws {
        let server = try EchoServer()
        for round in 0..<5 {
            let c = try Client(port: server.port, timeout: 0.5)
            let peer = "127.0.0.1:\(c.localPort)"
            let request = Array(String(repeating: String(repeating: "r", count: 1000) + "\n", count: 8_000).utf8)
            let sent = c.sendSome(request)
            #expect(sent > 1 << 20, "round \(round): sent \(sent)")
            c.reset()
            #expect(
                server.waitForOutput { $0.contains("handler: connection reset by peer (\(peer))\n") },
                "round \(round): stdout \(server.stdout)")
            server.expectHealthy()
        }
    }

    /// 7. 10,000 short connections one after another (connect, a line, its echo, close): the
    /// server's descriptors come back to the baseline. Each client ends its side after its line
    /// and waits for the server's end, so every connection is seen closed by the server.
    @Test func noDescriptorLeaks() throws {
        let server = try EchoServer()
        server.expectHealthy()
        let baseline = server.openDescriptors
        #expect(baseline > 0)
        let start = Date()
        for i in 0..<10_000 {
            let c = try Client(port: server.port)
            try c.send("n\(i)\n")
            shutdown(c.fd, Int32(SHUT_WR))
            let echo = try c.readLine()
            let end = try c.readLine()
            if echo != "n\(i)" || end != nil {
                Issue.record("connection \(i): echo \(echo.debugDescription), then \(end.debugDescription)")
                break
            }
            c.close()
        }
        let seconds = Date().timeIntervalSince(start)
        #expect(waitForDescriptors(of: server, toReach: baseline), "descriptors: \(baseline) before, \(server.openDescriptors) after")
        #expect(seconds < 30, "10,000 connections took \(seconds) s")
        server.expectHealthy()
    }

    /// Waits up to 3 s until `server` has at most `baseline` (+ 2 for timing) descriptors open.
    private func waitForDescriptors(of server: EchoServer, toReach baseline: Int) -> Bool {
        let deadline = Date().addingTimeInterval(3)
        repeat {
            if server.openDescriptors <= baseline { return true }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return server.openDescriptors <= baseline + 2
    }
}
