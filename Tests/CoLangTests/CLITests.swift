// Runs the built `colang` executable as a subprocess: flags, exit codes, stdin, script args, the REPL.
import Foundation
import Testing

/// What one run of `colang` did.
struct ColangRun {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Finds and runs the `colang` executable that `swift build` / `swift test` put in the products
/// directory, next to the test bundle.
enum Colang {
    static let path: String? = candidates().first { FileManager.default.isExecutableFile(atPath: $0) }

    private static func candidates() -> [String] {
        var directories: [URL] = []
        if let override = ProcessInfo.processInfo.environment["COLANG_BIN"] { return [override] }
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        directories.append(repositoryRoot.appendingPathComponent(".build/debug"))
        return directories.map { $0.appendingPathComponent("colang").path }
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `colang arguments`, feeding `input` on stdin; kills it after `timeout` seconds.
    static func run(
        _ arguments: [String], input: String = "", timeout: TimeInterval = 60,
        whileRunning: ((Process) -> Void)? = nil
    ) throws -> ColangRun {
        let binary = try #require(path, "build colang first: swift build")
        let scratch = try TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        process.standardInput = try scratch.fileHandle(named: "stdin", contents: input, forReading: true)
        let out = try scratch.fileHandle(named: "stdout", contents: "", forReading: false)
        let err = try scratch.fileHandle(named: "stderr", contents: "", forReading: false)
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { if process.isRunning { kill(pid, SIGKILL) } }
        whileRunning?(process)
        process.waitUntilExit()
        return ColangRun(
            status: process.terminationStatus,
            stdout: try scratch.read("stdout"), stderr: try scratch.read("stderr"))
    }
}

/// A directory under /tmp removed when the value goes away.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("colang-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `contents` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try contents.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    func fileHandle(named name: String, contents: String, forReading: Bool) throws -> FileHandle {
        let path = try write(name, contents)
        return forReading
            ? try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            : try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
    }
}

@Suite("colang command line")
struct CLITests {
    @Test func versionPrintsTheVersion() throws {
        let run = try Colang.run(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout == "colang 0.1.0\n")
    }

    @Test func helpListsTheFlags() throws {
        let run = try Colang.run(["--help"])
        #expect(run.status == 0)
        for flag in [
            "-e <CODE>", "--clock", "--seed", "--dis", "--trace", "--trace-sched", "--timeline",
            "--schedule", "--explore", "--max-steps", "--max-memory", "--preempt", "--version",
        ] {
            #expect(run.stdout.contains(flag), "help lacks \(flag)")
        }
    }

    @Test(arguments: [
        ["--bogus"], ["--clock", "sundial"], ["--seed"], ["--seed", "abc"],
        ["--schedule", "lifo"], ["--max-steps", "0"], ["--preempt", "0"], ["--preempt", "-3"],
        ["--preempt"], ["-e"],
    ])
    func badFlagsExitWithUsage(arguments: [String]) throws {
        let run = try Colang.run(arguments)
        #expect(run.status == 64)
        #expect(run.stderr.hasPrefix("colang: "))
        #expect(run.stdout.isEmpty)
    }

    @Test func missingFileExitsWith66() throws {
        let run = try Colang.run(["no/such/file.co"])
        #expect(run.status == 66)
        #expect(run.stderr == "colang: cannot open 'no/such/file.co': No such file or directory\n")
    }

    @Test func directoryIsUnreadable() throws {
        let directory = try TemporaryDirectory()
        let run = try Colang.run([directory.url.path])
        #expect(run.status == 66)
        #expect(run.stderr.contains("cannot open"))
    }

    @Test func evalRunsCode() throws {
        let run = try Colang.run(["-e", "print(1 + 2)"])
        #expect(run.status == 0)
        #expect(run.stdout == "3\n")
    }

    @Test func nulCharactersReachTheStreamsWhole() throws {
        // A NUL inside a string must not cut the output short (fputs would).
        let run = try Colang.run(["-e", "print(\"a\\0b\")\nthrow error(\"x\\0y\")"])
        #expect(run.status == 70)
        #expect(run.stdout == "a\u{0}b\n")
        #expect(run.stderr.contains("error: x\u{0}y\n --> <string>:2:1"))
    }

    @Test func pipedStdinRunsAsAScript() throws {
        let run = try Colang.run([], input: "print(\"from stdin\")\n")
        #expect(run.status == 0)
        #expect(run.stdout == "from stdin\n")
    }

    @Test func dashReadsStdinAndTakesArgs() throws {
        let run = try Colang.run(["-", "one"], input: "print(args)\n")
        #expect(run.stdout == "[\"one\"]\n")
    }

    @Test func scriptArgsPassUntouchedEvenWhenTheyLookLikeFlags() throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write("args.co", "print(args)\n")
        let run = try Colang.run(["--seed", "7", script, "a", "--seed", "-e", "two words", "--"])
        #expect(run.status == 0)
        #expect(run.stdout == "[\"a\", \"--seed\", \"-e\", \"two words\", \"--\"]\n")
    }

    @Test func evalTakesArgsToo() throws {
        let run = try Colang.run(["-e", "print(args)", "x", "--y"])
        #expect(run.stdout == "[\"x\", \"--y\"]\n")
    }

    @Test func bareTimelineDoesNotSwallowTheScript() throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write("hello.co", "print(\"hello\")\n")
        let run = try Colang.run(["--timeline", script])
        #expect(run.status == 0)
        #expect(run.stdout == "hello\n")
    }

    @Test func timelineSVGIsWrittenWholeOrNotAtAll() throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write("t.co", "spawn fn() { sleep(0.1) }\nprint(\"ran\")\n")
        let svg = directory.url.appendingPathComponent("t.svg").path
        let run = try Colang.run(["--clock", "virtual", "--timeline", svg, script])
        #expect(run.status == 0)
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(text.hasPrefix("<svg") || text.hasPrefix("<?xml"))
        #expect(text.contains("</svg>"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted() == ["t.co", "t.svg"])

        let missing = try Colang.run(["--clock", "virtual", "--timeline", "/no/such/dir/t.svg", script])
        #expect(missing.status == 70)
        #expect(missing.stdout == "ran\n")
        #expect(missing.stderr == "colang: cannot write '/no/such/dir/t.svg': No such file or directory\n")
    }

    /// Issue 15: `--record` writes the page and says where on stderr; the program's output and
    /// exit status are those of a run without it; an unwritable path is exit 70.
    @Test func recordWritesTheReplayPage() throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write(
            "r.co", "let t = spawn fn() { sleep(1); return 2 }\nprint(\"got\", t.join())\nthrow error(\"late\")\n")
        let page = directory.url.appendingPathComponent("r.html").path
        let plain = try Colang.run(["--clock", "virtual", script])
        let run = try Colang.run(["--clock", "virtual", "--record", page, script])
        #expect(run.status == plain.status && run.status == 70)
        #expect(run.stdout == plain.stdout && run.stdout == "got 2\n")
        #expect(run.stderr.hasPrefix(plain.stderr))
        #expect(run.stderr.hasSuffix("colang: recorded \(try #require(Self.steps(in: page))) steps in \(page); open it in a browser\n"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // Nothing that loads another file or anything from the network (the SVG namespace URI
        // is a name, not a load).
        for loader in [
            "<script src", "<link", "<img", "<iframe", "url(", "@import", "fetch(", "XMLHttpRequest", "src=\"http", "href=\"http",
        ] {
            #expect(!html.contains(loader), "the page must need no other file and no network, but it has \(loader)")
        }

        let fine = try directory.write("ok.co", "print(1)\n")
        let missing = try Colang.run(["--record", "/no/such/dir/r.html", fine])
        #expect(missing.status == 70)
        #expect(missing.stdout == "1\n")
        #expect(missing.stderr.hasSuffix("colang: cannot write '/no/such/dir/r.html': No such file or directory\n"))
    }

    /// The number of steps in a recording page, read from its data.
    static func steps(in page: String) -> Int? {
        guard let html = try? String(contentsOfFile: page, encoding: .utf8),
            let start = html.range(of: "<script type=\"application/json\" id=\"run-data\">"),
            let end = html.range(of: "</script>", range: start.upperBound..<html.endIndex),
            let object = try? JSONSerialization.jsonObject(with: Data(html[start.upperBound..<end.lowerBound].utf8)),
            let steps = (object as? [String: Any])?["steps"] as? [Any]
        else { return nil }
        return steps.count
    }

    /// Issue 11: the SVG used to be renamed over whatever was at the path. A symbolic link stays a
    /// link (its target is replaced, keeping its mode), a FIFO stays a FIFO and gets the SVG, a
    /// device is written into, and a failed write is reported (exit 70), never a hang.
    @Test func timelineSVGRespectsWhatIsAtThePath() throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write("t.co", "print(\"ran\")\n")
        let real = try directory.write("real.svg", "old\n")
        chmod(real, 0o600)
        let link = directory.url.appendingPathComponent("link.svg").path
        #expect(symlink("real.svg", link) == 0)
        let viaLink = try Colang.run(["--clock", "virtual", "--timeline", link, script])
        #expect(viaLink.status == 0)
        var info = stat()
        #expect(lstat(link, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK, "the link was replaced")
        #expect(stat(real, &info) == 0 && info.st_mode & 0o777 == 0o600, "the target's mode changed")
        #expect(try String(contentsOfFile: real, encoding: .utf8).contains("</svg>"))

        let fifo = directory.url.appendingPathComponent("pipe.svg").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let unread = try Colang.run(["--clock", "virtual", "--timeline", fifo, script])
        #expect(unread.status == 70)
        #expect(unread.stderr.contains("cannot write '\(fifo)': nothing is reading from it"))
        let read = try LiveColang.shell(
            "cat pipe.svg > got.txt & sleep 0.2; \"$COLANG\" --clock virtual --timeline pipe.svg t.co >out 2>stderr; s=$?; wait; exit $s",
            in: directory)
        #expect(read.status == 0, "stderr \(read.stderr)")
        #expect(try directory.read("got.txt").contains("</svg>"))
        #expect(lstat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "the FIFO was replaced")

        let full = try Colang.run(["--clock", "virtual", "--timeline=/dev/full", script])
        #expect(full.status == 70)
        #expect(full.stderr == "colang: cannot write '/dev/full': No space left on device\n")
        #expect(try Colang.run(["--clock", "virtual", "--timeline=/dev/null", script]).status == 0)
        #expect(stat("/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
        let dir = try Colang.run(["--clock", "virtual", "--timeline=" + directory.url.path, script])
        #expect(dir.status == 70)
        #expect(dir.stderr.hasSuffix("Is a directory\n"))
    }

    /// Found while testing the above: `colang /dev/zero` read without end until allocation aborted.
    @Test func endlessInputIsRefused() throws {
        let run = try Colang.run(["/dev/zero"])
        #expect(run.status == 66)
        #expect(run.stderr == "colang: cannot read '/dev/zero': larger than 64 MB\n")
    }

    @Test func syntaxErrorExitsWith65() throws {
        #expect(try Colang.run(["-e", "let = 1"]).status == 65)
    }

    @Test func runtimeErrorExitsWith70() throws {
        #expect(try Colang.run(["-e", "throw error(\"boom\")"]).status == 70)
    }

    @Test func disPrintsAListingWithoutRunning() throws {
        let run = try Colang.run(["--dis", "-e", "print(\"not run\")"])
        #expect(run.status == 0)
        #expect(!run.stdout.isEmpty)
        #expect(!run.stdout.contains("not run\n"))
    }

    @Test func interruptExitsWith130() throws {
        let run = try Colang.run(["-e", "while true {}"]) { process in
            LiveColang.waitUntilCatchingSIGINT(process.processIdentifier)
            process.interrupt()
        }
        #expect(run.status == 130)
    }

    /// Printing or comparing a list that holds itself 2^40 ways over is one instruction that
    /// would run for hours: Ctrl-C still stops it.
    @Test(arguments: ["print(a)", "print(a == b)", "print(str(a).contains(\"x\"))"])
    func interruptStopsALongBuiltin(statement: String) throws {
        let code = "let a = [1]\nlet b = [1]\nfor i in range(40) { a = [a, a]; b = [b, b] }\n\(statement)\n"
        let start = Date()
        let run = try Colang.run(["-e", code]) { process in
            LiveColang.waitUntilCatchingSIGINT(process.processIdentifier)
            Thread.sleep(forTimeInterval: 0.3)
            process.interrupt()
        }
        #expect(run.status == 130)
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test func closedStdoutEndsQuietly() throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write("many.co", String(repeating: "print(\"line\")\n", count: 100_000))
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        let binary = try #require(Colang.path)
        shell.arguments = ["-c", "set -o pipefail; '\(binary)' '\(script)' 2>'\(directory.url.path)/stderr' | head -n 1 >/dev/null"]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(try directory.read("stderr") == "")
    }

    /// `--schedule random` without `--seed` picks a seed and says it on stderr (issue 16, item 5),
    /// and that seed replays the same schedule.
    @Test func randomScheduleSaysItsSeed() throws {
        let program = "let ts = []\nfor i in range(6) { ts.push(spawn fn() { yield; print(i) }) }\nfor t in ts { t.join() }"
        let first = try Colang.run(["--schedule", "random", "-e", program])
        #expect(first.status == 0)
        #expect(first.stderr.hasPrefix("(seed ") && first.stderr.hasSuffix(")\n"), "stderr: \(first.stderr)")
        let seed = try #require(UInt64(first.stderr.dropFirst(6).dropLast(2)), "stderr: \(first.stderr)")
        let again = try Colang.run(["--schedule", "random", "--seed", String(seed), "-e", program])
        #expect(again.stdout == first.stdout && again.stderr == "")
        #expect(try Colang.run(["-e", "print(1)"]).stderr == "")
    }

    /// The REPL at a terminal, driven by pexpect scripts in Tests/repl (a pseudo-terminal, keys
    /// typed as a person types them). CI (`.ci/run`) installs pexpect and sets
    /// COLANG_REQUIRE_PEXPECT=1, so there a missing pexpect fails instead of skipping.
    @Test(
        .enabled(if: Python.hasPexpect || Python.pexpectRequired, "python3 with pexpect is needed to drive the REPL"), .serialized,
        arguments: ["repl_smoke.py", "repl_issue16.py", "readme_transcripts.py", "repl_record.py"])
    func replInATerminal(script: String) throws {
        #expect(Python.hasPexpect, "python3 cannot import pexpect (pip install pexpect)")
        let binary = try #require(Colang.path)
        let path = Colang.repositoryRoot.appendingPathComponent("Tests/repl/\(script)").path
        let status = Python.run([path, binary])
        #expect(status == 0, "Tests/repl/\(script) failed; run it by hand to see why")
    }
}

/// python3, for the pexpect-driven REPL check.
enum Python {
    static let hasPexpect = run(["-c", "import pexpect"]) == 0
    static let pexpectRequired = ProcessInfo.processInfo.environment["COLANG_REQUIRE_PEXPECT"] == "1"

    /// Runs `python3 arguments` and returns its exit status (127 when python3 cannot start).
    static func run(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        guard (try? process.run()) != nil else { return 127 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
