// Runs every conformance `.co` file and every example through the interpreter and checks what it prints.
import Foundation
import Testing
@testable import CoLang
@testable import ColangCLI

/// One `.co` file per test case; the argument is the path as the failure report should name it:
/// relative to `conformance/` (`errors/div_zero.co`) or `examples/NAME.co`.
@Suite struct ConformanceTests {
    @Test("conformance file", arguments: ConformanceFiles.all())
    func conformance(_ name: String) throws {
        let url = ConformanceFiles.url(for: name)
        let source = try String(contentsOf: url, encoding: .utf8)
        let spec = FileSpec.parse(source)
        let isExample = name.hasPrefix(ConformanceFiles.examplesPrefix)
        let options: RunOptions
        // `--record FILE` in a `# flags:` line: the run is recorded (and the page built, then
        // dropped), which must not change what it prints.
        let records = spec.flags.contains("--record")
        do {
            options = try FileSpec.options(from: spec.flags, file: name, isExample: isExample)
        } catch {
            Issue.record(Comment(rawValue: "\(name): bad `# flags:` line: \(error)"))
            return
        }
        if options.gcStress && spec.skipGCStress { return }

        let result = ScriptRunner.run(
            source: source, file: name, options: options,
            stdinLines: spec.stdin, timeout: ScriptRunner.timeout(for: options), record: records)
        if let failure = spec.mismatch(with: result, isExample: isExample) {
            Issue.record(Comment(rawValue: "\(name): \(failure)"))
            return
        }
        if spec.reproducible {
            let again = ScriptRunner.run(
                source: source, file: name, options: options,
                stdinLines: spec.stdin, timeout: ScriptRunner.timeout(for: options))
            if again.stdout != result.stdout {
                Issue.record(
                    Comment(
                        rawValue: """
                            \(name): `# reproducible` but two runs printed different output
                            --- first run stdout ---
                            \(result.stdout)--- second run stdout ---
                            \(again.stdout)--- end ---
                            """))
            }
        }
    }
}

/// Finds the test files from this source file's location, not from a resource bundle.
enum ConformanceFiles {
    static let examplesPrefix = "examples/"

    /// `Tests/CoLangTests/`
    static var testsDirectory: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent() }
    static var conformanceDirectory: URL { testsDirectory.appendingPathComponent("conformance") }
    /// The repository's `examples/` folder: `../../examples` from this file's folder.
    static var examplesDirectory: URL {
        testsDirectory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")
    }

    /// Every conformance file (relative to `conformance/`), then every example (`examples/...`), each sorted.
    static func all() -> [String] {
        coFiles(under: conformanceDirectory) + coFiles(under: examplesDirectory).map { examplesPrefix + $0 }
    }

    static func url(for name: String) -> URL {
        if name.hasPrefix(examplesPrefix) {
            return examplesDirectory.appendingPathComponent(String(name.dropFirst(examplesPrefix.count)))
        }
        return conformanceDirectory.appendingPathComponent(name)
    }

    /// Paths of the `.co` files below `dir`, relative to it, sorted; empty when `dir` does not exist.
    static func coFiles(under dir: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: dir.resolvingSymlinksInPath().path) else { return [] }
        var found: [String] = []
        while let rel = walker.nextObject() as? String {
            if rel.hasSuffix(".co") { found.append(rel) }
        }
        return found.sorted()
    }
}

/// What a file's comments say about its run.
struct FileSpec {
    /// `# expect: TEXT`, one stdout line each, in file order.
    var stdout: [String] = []
    /// `# expect-stderr: TEXT`, substrings that must appear in stderr in this order.
    var stderr: [String] = []
    /// `# expect-exit: N` (default 0).
    var exitCode: Int32 = 0
    /// The words of every `# flags:` line.
    var flags: [String] = []
    /// `# stdin: TEXT`, one line each for `input()`.
    var stdin: [String] = []
    /// `# reproducible`: run the file twice; both runs must print the same. A reproducible file
    /// without `# expect:` lines may print anything.
    var reproducible = false
    /// `# skip-gc-stress`: too slow with a collection at every allocation (COLANG_GC_STRESS=1).
    var skipGCStress = false

    static func parse(_ source: String) -> FileSpec {
        var spec = FileSpec()
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = rawLine
            if line.hasSuffix("\r") { line = line.dropLast() }
            if let text = directive("# expect-stderr:", in: line) {
                spec.stderr.append(text)
            } else if let text = directive("# expect-exit:", in: line) {
                spec.exitCode = Int32(text.trimmingCharacters(in: .whitespaces)) ?? -1
            } else if let text = directive("# expect:", in: line) {
                spec.stdout.append(text)
            } else if let text = directive("# flags:", in: line) {
                spec.flags += text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            } else if let text = directive("# stdin:", in: line) {
                spec.stdin.append(text)
            } else if line.contains("# reproducible") {
                spec.reproducible = true
            } else if line.contains("# skip-gc-stress") {
                spec.skipGCStress = true
            }
        }
        return spec
    }

    /// The text after `marker` on `line` (one space after the colon dropped), if the marker occurs.
    private static func directive(_ marker: String, in line: Substring) -> String? {
        guard let found = line.range(of: marker) else { return nil }
        var rest = line[found.upperBound...]
        if rest.first == " " { rest = rest.dropFirst() }
        return String(rest)
    }

    struct BadFlag: Error, CustomStringConvertible { var description: String }

    /// RunOptions for `# flags:` words, parsed by `colang`'s own command-line parser as if they
    /// stood before the file's name (`--args WORDS...` stands for words after it: the script's
    /// `args`). Examples default to the virtual clock; COLANG_GC_STRESS=1 adds `--gc-stress`.
    static func options(from flags: [String], file: String, isExample: Bool) throws -> RunOptions {
        var before = flags
        var after: [String] = []
        if let marker = flags.firstIndex(of: "--args") {
            before = Array(flags[..<marker])
            after = Array(flags[(marker + 1)...])
        }
        let invocation: Invocation
        do {
            invocation = try CommandParser.invocation(before + [file] + after)
        } catch {
            throw BadFlag(description: CommandParser.message(for: error))
        }
        if invocation.code != nil || invocation.dis || invocation.explore != nil || invocation.timeline != nil {
            throw BadFlag(description: "-e, --dis, --explore and --timeline are not for `# flags:` lines")
        }
        var options = invocation.runOptions
        if isExample && invocation.clock == nil { options.clock = .virtual }
        if ProcessInfo.processInfo.environment["COLANG_GC_STRESS"] == "1" { options.gcStress = true }
        return options
    }

    /// A report of every way `result` differs from this spec, or `nil` when it conforms.
    func mismatch(with result: ScriptRunner.Result, isExample: Bool) -> String? {
        var problems: [String] = []
        guard let exit = result.exitCode else {
            return "timed out (still running after \(Int(result.seconds)) s)\n" + transcript(result)
        }
        if exit != exitCode { problems.append("exit code \(exit), expected \(exitCode)") }
        let expectedOut = stdout.map { $0 + "\n" }.joined()
        let checkStdout = !(stdout.isEmpty && (isExample || reproducible))
        // Byte for byte: Swift's `!=` would take "e\u{301}" for "\u{E9}" (canonical equivalence).
        if checkStdout && !result.stdout.utf8.elementsEqual(expectedOut.utf8) { problems.append("stdout differs") }
        if let missing = firstMissingStderr(in: result.stderr) {
            problems.append("stderr lacks (in order) \"\(missing)\"")
        }
        if problems.isEmpty { return nil }
        return problems.joined(separator: "; ") + "\n" + transcript(result)
    }

    /// The first `# expect-stderr:` text not found after the previous one's match.
    private func firstMissingStderr(in text: String) -> String? {
        var searchFrom = text.startIndex
        for wanted in stderr {
            guard let found = text.range(of: wanted, range: searchFrom..<text.endIndex) else { return wanted }
            searchFrom = found.upperBound
        }
        return nil
    }

    private func transcript(_ result: ScriptRunner.Result) -> String {
        """
        --- expected stdout ---
        \(stdout.map { $0 + "\n" }.joined())--- actual stdout ---
        \(result.stdout)--- expected stderr to contain, in order ---
        \(stderr.map { $0 + "\n" }.joined())--- actual stderr ---
        \(result.stderr)--- expected exit \(exitCode), actual \(result.exitCode.map { String($0) } ?? "none (timeout)") ---
        """
    }
}

/// Runs one script in-process on its own thread (a big stack, and a time limit so a hung
/// interpreter fails one case instead of the whole suite).
enum ScriptRunner {
    struct Result {
        var stdout: String
        var stderr: String
        /// `nil` when the run did not finish in time.
        var exitCode: Int32?
        var seconds: Double
    }

    /// Output captured from a thread that may outlive the test when it times out.
    final class Capture: @unchecked Sendable {
        private let lock = NSLock()
        private var out = ""
        private var err = ""
        private var code: Int32?
        func write(out s: String) { lock.lock(); out += s; lock.unlock() }
        func write(err s: String) { lock.lock(); err += s; lock.unlock() }
        func finish(_ c: Int32) { lock.lock(); code = c; lock.unlock() }
        func snapshot() -> (String, String, Int32?) { lock.lock(); defer { lock.unlock() }; return (out, err, code) }
    }

    /// Seconds a file may run: COLANG_CONFORMANCE_TIMEOUT, else 30 (300 under GC stress).
    static func timeout(for options: RunOptions) -> Double {
        if let text = ProcessInfo.processInfo.environment["COLANG_CONFORMANCE_TIMEOUT"], let t = Double(text) { return t }
        return options.gcStress ? 300 : 30
    }

    /// Runs `source` through an `Interpreter` on a thread with `stackSize` bytes of stack, waiting
    /// up to `timeout` seconds; a run that does not finish has a nil exit code.
    static func run(
        source: String, file: String, options: RunOptions, stdinLines: [String],
        timeout: Double, stackSize: Int = 64 << 20, record: Bool = false
    ) -> Result {
        let capture = Capture()
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            var pending = stdinLines[...]
            let interpreter = Interpreter(
                options: options,
                stdout: { capture.write(out: $0) },
                stderr: { capture.write(err: $0) },
                stdin: { pending.isEmpty ? nil : pending.removeFirst() })
            if record { interpreter.startRecording() }
            let code = interpreter.runScript(source: source, file: file)
            interpreter.flush()
            if record {
                interpreter.endRecording(exitStatus: code)
                if interpreter.recordingHTML(title: file, exitStatus: code)?.contains("\"steps\":[[") != true {
                    capture.write(err: "the recording has no steps\n")
                }
            }
            capture.finish(code)
            finished.signal()
        }
        thread.stackSize = stackSize
        let start = Date()
        thread.start()
        _ = finished.wait(timeout: .now() + timeout)
        let (out, err, code) = capture.snapshot()
        return Result(stdout: out, stderr: err, exitCode: code, seconds: Date().timeIntervalSince(start))
    }
}
