// read_file, write_file and lines on what a .co test cannot make: invalid UTF-8 and FIFOs.
import Foundation
import Testing
@testable import CoLang

@Suite("files")
struct FilesTests {
    /// Runs `source` and returns stdout and stderr.
    private func run(_ source: String) -> (out: String, err: String) {
        var out = "", err = ""
        let interpreter = Interpreter(options: RunOptions(), stdout: { out += $0 }, stderr: { err += $0 }, stdin: { nil })
        _ = interpreter.runScript(source: source, file: "files.co")
        interpreter.flush()
        return (out, err)
    }

    private func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "colang-files-\(getpid())-\(name)"
    }

    @Test func invalidUTF8ArrivesAsReplacementCharacters() throws {
        let path = temporaryPath("latin1.txt")
        defer { unlink(path) }
        try Data([0x61, 0xFF, 0x62, 0x0A, 0xC3]).write(to: URL(fileURLWithPath: path))
        let result = run(
            """
            let t = read_file("\(path)")
            print(len(t), t == "a\\u{FFFD}b\\n\\u{FFFD}")
            print(lines("\(path)"))
            """)
        #expect(result.out == "5 true\n[\"a\u{FFFD}b\", \"\u{FFFD}\"]\n", "\(result)")
    }

    /// A FIFO with nobody at the other end would block `open` or `read` for ever, and with it
    /// every task: both calls refuse it at once instead.
    @Test func aFifoIsRefusedNotWaitedFor() throws {
        let path = temporaryPath("fifo")
        unlink(path)
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let result = run(
            """
            try { read_file("\(path)") } catch e { print(e.message) }
            try { write_file("\(path)", "x") } catch e { print(e.message) }
            """)
        #expect(
            result.out == """
                cannot read '\(path)': not a regular file
                cannot write '\(path)': no such device or address

                """, "\(result)")
    }
}
