// Unit tests for `colang`'s command-line parsing (the ColangCLI library), and for the conformance
// runner's `# flags:` lines, which go through the same parser.
import Testing
@testable import CoLang
@testable import ColangCLI

@Suite struct CommandLineParsingTests {
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
