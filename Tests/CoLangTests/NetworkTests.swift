// Sockets where a .co test cannot reach: a peer that splits a character between two sends, and
// a server process that must use no CPU while it waits.
import Foundation
import Testing
@testable import CoLang

@Suite("network", .serialized)
struct NetworkTests {
    /// A blocking listening socket of the test's own on 127.0.0.1, and its port.
    private func peerListener() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(fd, p, length) == 0 && Glibc.listen(fd, 8) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        try #require(bound)
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// The peer sends "caf" and the first byte of "é", then (later) its second byte and "!",
    /// then a byte that is not UTF-8: `read` holds the half character back instead of breaking it.
    @Test func aCharacterSplitBetweenTwoArrivalsIsNotBroken() throws {
        let (listener, port) = try peerListener()
        defer { close(listener) }
        let peer = Thread {
            let c = accept(listener, nil, nil)
            for (bytes, pause) in [([0x63, 0x61, 0x66, 0xC3], 0.2), ([0xA9, 0x21], 0.2), ([0xFF, 0x0A], 0.0)] as [([UInt8], Double)] {
                _ = bytes.withUnsafeBytes { send(c, $0.baseAddress, $0.count, 0) }
                Thread.sleep(forTimeInterval: pause)
            }
            close(c)
        }
        peer.start()
        var out = "", err = ""
        let interpreter = Interpreter(options: RunOptions(), stdout: { out += $0 }, stderr: { err += $0 }, stdin: { nil })
        _ = interpreter.runScript(
            source: """
                let c = connect("127.0.0.1", \(port))
                let parts = []
                while true {
                  let part = c.read()
                  if part == nil { break }
                  parts.push(part)
                }
                print(parts)
                """, file: "split.co")
        interpreter.flush()
        #expect(out == "[\"caf\", \"é!\", \"\u{FFFD}\\n\"]\n", "stdout \(out), stderr \(err)")
    }

    /// An idle server waits in poll(2): no busy waiting, so its CPU time does not grow.
    @Test func anIdleServerUsesNoCPU() throws {
        var ticks: [Int] = []
        let run = try LiveColang.run(["-e", "let l = listen(\"127.0.0.1\", 0)\nfor c in l { c.close() }"]) { process in
            LiveColang.waitUntilCatchingSIGINT(process.processIdentifier)
            for pause in [0.3, 1.0] {
                Thread.sleep(forTimeInterval: pause)
                ticks.append(NetworkTests.cpuTicks(of: process.processIdentifier))
            }
            process.interrupt()
        }
        #expect(run.status == 130)
        #expect(ticks.count == 2 && ticks[1] - ticks[0] <= 2, "CPU ticks (1/100 s) over one idle second: \(ticks)")
    }

    /// utime + stime of `pid`, in clock ticks (fields 14 and 15 of /proc/PID/stat).
    static func cpuTicks(of pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return -1 }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return -1 }
        return user + system
    }
}
