// Runs every benchmark program in bench/ at a small size and checks that CoLang prints the same
// checksum as the Python (and, when lua5.4 is installed, the Lua) version. No timing here: the
// timing is bench/run's job.
import Foundation
import Testing
@testable import CoLang

@Suite struct BenchProgramsTests {
    @Test(
        "bench program agrees with Python", .enabled(if: BenchPrograms.python != nil, "python3 is not installed"),
        arguments: BenchPrograms.all)
    func agreesWithPython(_ bench: BenchPrograms.Bench) throws {
        let colang = try BenchPrograms.runCoLang(bench)
        let python = try BenchPrograms.runPeer(try #require(BenchPrograms.python), bench, ext: "py")
        #expect(python.status == 0, "python3 bench/\(bench.name).py failed: \(python.stderr)")
        #expect(colang == python.stdout, "bench/\(bench.name).co printed \(colang), Python printed \(python.stdout)")
    }

    @Test(
        "bench program agrees with Lua 5.4", .enabled(if: BenchPrograms.lua != nil, "lua5.4 is not installed"),
        arguments: BenchPrograms.all)
    func agreesWithLua(_ bench: BenchPrograms.Bench) throws {
        let colang = try BenchPrograms.runCoLang(bench)
        let lua = try BenchPrograms.runPeer(try #require(BenchPrograms.lua), bench, ext: "lua")
        #expect(lua.status == 0, "lua5.4 bench/\(bench.name).lua failed: \(lua.stderr)")
        #expect(colang == lua.stdout, "bench/\(bench.name).co printed \(colang), Lua printed \(lua.stdout)")
    }

    @Test(
        "bench program agrees with Python when the GC collects at every allocation",
        .enabled(if: BenchPrograms.python != nil, "python3 is not installed"), arguments: BenchPrograms.all)
    func agreesUnderGCStress(_ bench: BenchPrograms.Bench) throws {
        let tiny = bench.tiny
        let colang = try BenchPrograms.runCoLang(tiny, gcStress: true)
        let python = try BenchPrograms.runPeer(try #require(BenchPrograms.python), tiny, ext: "py")
        #expect(python.status == 0, "python3 bench/\(tiny.name).py failed: \(python.stderr)")
        #expect(colang == python.stdout, "bench/\(tiny).co under GC stress printed \(colang), Python printed \(python.stdout)")
    }

    @Test("every benchmark has a CoLang, a Lua and a Python version")
    func allThreeVersionsExist() {
        for bench in BenchPrograms.all {
            for ext in ["co", "lua", "py"] {
                let path = BenchPrograms.directory.appendingPathComponent("\(bench.name).\(ext)").path
                #expect(FileManager.default.fileExists(atPath: path), "missing bench/\(bench.name).\(ext)")
            }
        }
    }
}

enum BenchPrograms {
    /// A benchmark and the small size the tests run it at (`nil`: it takes no size).
    struct Bench: CustomStringConvertible, Sendable {
        let name: String
        let size: Int?
        var description: String { size.map { "\(name) \($0)" } ?? name }
        var arguments: [String] { size.map { [String($0)] } ?? [] }
        /// A tenth of the size (at least 2), for the slow GC-stress mode.
        var tiny: Bench { Bench(name: name, size: size.map { max(2, $0 / 10) }) }
    }

    static let all: [Bench] = [
        Bench(name: "fib", size: 15),
        Bench(name: "loop", size: 5_000),
        Bench(name: "gen", size: 5_000),
        Bench(name: "send", size: 5_000),
        Bench(name: "pingpong", size: 500),
        Bench(name: "spawn", size: 500),
        Bench(name: "chan", size: 5_000),
        Bench(name: "trees", size: 8),
        Bench(name: "nbody", size: 200),
        Bench(name: "words", size: 5_000),
        Bench(name: "strings", size: 5_000),
        Bench(name: "mem", size: 2_000),
        Bench(name: "startup", size: nil),
    ]

    /// The repository's `bench/` folder: `../../bench` from this file's folder.
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("bench")
    }

    static let python: String? = executable(named: "python3")
    static let lua: String? = executable(named: "lua5.4")

    /// The first executable called `name` on `PATH`.
    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").lazy
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name).path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs bench/NAME.co in-process on the virtual clock (optionally collecting garbage at every
    /// allocation); returns its output, trimmed.
    static func runCoLang(_ bench: Bench, gcStress: Bool = false) throws -> String {
        let url = directory.appendingPathComponent("\(bench.name).co")
        let source = try String(contentsOf: url, encoding: .utf8)
        var options = RunOptions()
        options.clock = .virtual
        options.seed = 1
        options.scriptArgs = bench.arguments
        options.gcStress = gcStress
        let output = Collected()
        let errors = Collected()
        let interpreter = Interpreter(options: options, stdout: { output.append($0) }, stderr: { errors.append($0) })
        let status = interpreter.runScript(source: source, file: "bench/\(bench.name).co")
        interpreter.flush()
        #expect(status == ExitCode.ok, "bench/\(bench.name).co exited with \(status): \(errors.text)")
        #expect(errors.text.isEmpty, "bench/\(bench.name).co wrote to stderr: \(errors.text)")
        let text = output.text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!text.isEmpty && !text.contains("\n"), "bench/\(bench.name).co should print one line, printed \(text)")
        return text
    }

    /// Runs `interpreter bench/NAME.ext SIZE` as a subprocess.
    static func runPeer(_ interpreter: String, _ bench: Bench, ext: String) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [directory.appendingPathComponent("\(bench.name).\(ext)").path] + bench.arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The outputs are a line or an error report: read them whole, then reap the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus,
            String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
            String(decoding: stderr, as: UTF8.self)
        )
    }

    /// Text gathered from an output closure.
    final class Collected: @unchecked Sendable {
        private var chunks: [String] = []
        private let lock = NSLock()
        func append(_ s: String) { lock.lock(); chunks.append(s); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return chunks.joined() }
    }
}
