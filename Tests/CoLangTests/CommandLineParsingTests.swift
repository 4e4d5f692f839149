// Unit tests for `colang`'s command-line parsing (the ColangCLI library), and for the conformance
// runner's `# flags:` lines, which go through the same parser.
import Testing
@testable import CoLang
@testable import ColangCLI

@Suite struct CommandLineParsingTests {
    /// Completion after `x.` offers what `x`'s value has (issue 16, item 6).
    @Test func completionAfterADotFollowsTheGlobalsType() {
        var options = RunOptions()
        options.clock = .virtual
        let interp = Interpreter(options: options, stdout: { _ in }, stderr: { _ in })
        for input in [
            "let xs = [1]", "let s = \"hi\"", "let m = {name: 1, \"two words\": 2}", "let ch = channel()",
            "let t = spawn fn() {}", "let co = coroutine(fn() { yield 1 })", "let n = 3",
        ] { #expect(interp.evalREPL(input) == .ok) }
        Completion.membersOfGlobal = { interp.memberNames(ofGlobal: $0) }
        defer { Completion.membersOfGlobal = { _ in nil } }
        func complete(_ line: String) -> [String] {
            let bytes = Array(line.utf8)
            let start = (bytes.lastIndex { $0 == UInt8(ascii: ".") } ?? -1) + 1
            return Completion.candidates(line: bytes, start: start, text: String(line[line.index(line.startIndex, offsetBy: start)...]))
                ?? []
        }
        let list = complete("xs.")
        #expect(list.contains("push") && list.contains("sort") && !list.contains("recv") && !list.contains("upper"), "\(list)")
        #expect(complete("print(xs.p") == ["pop", "push"])
        #expect(complete("s.u") == ["upper"])
        #expect(complete("m.").contains("name") && !complete("m.").contains("two words") && complete("m.").contains("keys"))
        #expect(complete("ch.") == ["capacity", "close", "closed", "recv", "send"], "\(complete("ch."))")
        #expect(complete("t.").contains("join") && complete("t.").contains("status") && !complete("t.").contains("push"))
        #expect(complete("co.").contains("resume") && complete("co.").contains("done"))
        #expect(complete("n.") == [], "an int has no members")
        #expect(complete("nope.").contains("push") && complete("nope.").contains("recv"), "unknown: every name")
        #expect(complete("f().").contains("recv"), "a call's value is not known: every name")
    }

    /// Usage errors say what is wrong (issue 16, item 8).
    @Test func badNumbersAndPicturesAreExplained() {
        func message(_ words: [String]) -> String {
            do {
                _ = try CommandParser.invocation(words)
                return "no error"
            } catch { return CommandParser.message(for: error) }
        }
        #expect(message(["--max-steps", "-5", "-e", "1"]) == "--max-steps expects a positive number, not -5")
        #expect(message(["--max-steps", "0", "-e", "1"]) == "--max-steps expects a positive number, not 0")
        #expect(message(["--max-memory", "-1", "x.co"]) == "--max-memory expects a positive number of megabytes, not -1")
        #expect(message(["--seed", "-3", "x.co"]) == "--seed expects a number from 0 up, not -3")
        let picture =
            "--timeline writes an SVG drawing, so its file must end in .svg (not 'chart.png');"
            + " bare --timeline draws a text chart on stderr"
        #expect(message(["--timeline", "chart.png", "x.co"]) == picture)
        #expect(message(["--timeline=chart.png", "x.co"]) == picture)
        #expect(message(["--timeline", "x.co"]) == "no error")
        #expect(message(["--timeline", "chart.svg", "x.co"]) == "no error")
        // --record: an HTML page; `--record kitchen.co` (the file name forgotten) must not
        // overwrite the script, and --dis runs nothing to record.
        #expect(
            message(["--record", "examples/kitchen.co"])
                == "--record writes an HTML page, so its file must end in .html (not 'examples/kitchen.co')")
        #expect(message(["--record", "run.svg", "x.co"]) == "--record writes an HTML page, so its file must end in .html (not 'run.svg')")
        #expect(message(["--dis", "--record", "run.html", "x.co"]) == "--dis does not run the program, so there is nothing to --record")
        #expect(message(["--record", "run.html", "x.co"]) == "no error")
        #expect(message(["--record", "/dev/null", "x.co"]) == "no error")
        #expect((try? CommandParser.invocation(["--record", "run.HTML", "x.co"]))?.record == "run.HTML")
    }

    /// A `# comment` may follow any REPL `:command` (issue 16, item 2).
    @Test func replCommandsTakeComments() {
        #expect(ReplCommand.parse(":auto off   # hold background tasks") ?? ("", "?") == ("auto", "off"))
        #expect(ReplCommand.parse(":tasks# all of them") ?? ("", "?") == ("tasks", ""))
        #expect(ReplCommand.parse(":step 2 -v #why") ?? ("", "?") == ("step", "2 -v"))
        #expect(ReplCommand.parse(":load notes#2.co") ?? ("", "?") == ("load", "notes#2.co"))
        #expect(ReplCommand.parse("x # :auto") == nil)
    }

    @Test func wordsAfterTheFileAreTheScriptsArguments() throws {
        let invocation = try CommandParser.invocation(["--seed", "3", "x.co", "--seed", "4", "-e"])
        #expect(invocation.file == "x.co")
        #expect(invocation.seed == 3)
        #expect(invocation.runOptions.scriptArgs == ["--seed", "4", "-e"])
    }

    @Test func codeTakesEveryPositionalAsAnArgument() throws {
        let invocation = try CommandParser.invocation(["-e", "print(args)", "a", "b"])
        #expect(invocation.code == "print(args)")
        #expect(invocation.runOptions.scriptArgs == ["a", "b"])
    }

    @Test func bareTimelineMeansText() throws {
        #expect(try CommandParser.invocation(["--timeline", "x.co"]).timeline == ArgumentSplit.textTimeline)
        #expect(try CommandParser.invocation(["--timeline", "t.svg", "x.co"]).timeline == "t.svg")
    }

    @Test func flagsBecomeRunOptions() throws {
        let options = try CommandParser.invocation(
            ["--clock", "virtual", "--schedule", "random", "--max-steps", "10", "--preempt", "5", "x.co"]
        ).runOptions
        #expect(options.clock == .virtual)
        #expect(options.schedule == .random)
        #expect(options.maxSteps == 10)
        #expect(options.preempt == 5)
        #expect(try CommandParser.invocation(["x.co"]).runOptions.clock == .real)
    }

    @Test func usageErrorsAreThrown() {
        for words in [["--clock", "sundial", "x.co"], ["--max-steps", "0", "x.co"], ["--nonsense", "x.co"]] {
            #expect(throws: (any Error).self) { try CommandParser.invocation(words) }
        }
    }

    @Test func conformanceFlagsUseTheSameParser() throws {
        let example = try FileSpec.options(from: [], file: "examples/a.co", isExample: true)
        #expect(example.clock == .virtual)
        let real = try FileSpec.options(from: ["--clock", "real"], file: "examples/a.co", isExample: true)
        #expect(real.clock == .real)
        let plain = try FileSpec.options(
            from: ["--max-memory", "8", "--args", "x", "--seed"], file: "a.co", isExample: false)
        #expect(plain.clock == .real)
        #expect(plain.maxMemoryMB == 8)
        #expect(plain.scriptArgs == ["x", "--seed"])
        #expect(throws: FileSpec.BadFlag.self) {
            try FileSpec.options(from: ["--sedd", "1"], file: "a.co", isExample: false)
        }
        #expect(throws: FileSpec.BadFlag.self) {
            try FileSpec.options(from: ["--dis"], file: "a.co", isExample: false)
        }
    }
}
