// docs/reference.md stays complete: every builtin, method and field of a fresh VM, every keyword of
// the lexer, every REPL :command and every command-line flag has an entry, read from the real
// tables (so a builtin added later, such as select or after, is checked as soon as it exists), and
// the help table (Sources/CoLang/Runtime/Help.swift) and the reference agree row for row.
import CoLangSyntax
import Foundation
import Testing
@testable import CoLang
@testable import ColangCLI

@Suite struct ReferenceTests {
    static var reference: String {
        let url = ConformanceFiles.testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/reference.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }

    private static func freshVM() -> VM {
        Interpreter(stdout: { _ in }, stderr: { _ in }).vm
    }

    /// Every method in the VM's method table, as (type name, method name).
    static func realMethods(_ vm: VM) -> [(type: String, name: String)] {
        var out: [(String, String)] = []
        for raw in 0...UInt8(31) {
            guard let tag = Tag(rawValue: raw) else { continue }
            let type = Value(tag: tag, bits: 0).typeName
            for name in vm.methods.ids.names where vm.methods.lookup(tag, name: name) != nil {
                out.append((type, name))
            }
        }
        return out
    }

    @Test func everyBuiltinHasAHelpEntry() {
        let vm = Self.freshVM()
        let documented = Set(Help.builtins.map(\.name))
        let missing = vm.definedGlobalNames().filter { !documented.contains($0) }
        #expect(missing.isEmpty, "builtins without an entry in Help.builtins (Help.swift): \(missing)")
        #expect(vm.definedGlobalNames().contains("help"))
    }

    @Test func everyMethodHasAHelpEntry() {
        let methods = Self.realMethods(Self.freshVM())
        #expect(methods.count > 30)
        let missing = methods.filter { m in !Help.methodEntries.contains { $0.name == m.name && $0.kind == .method(m.type) } }
        #expect(missing.isEmpty, "methods without an entry in Help.methodEntries: \(missing.map { "\($0.type).\($0.name)" })")
    }

    @Test func everyFieldHasAHelpEntry() {
        for (tag, names) in VM.fieldNames {
            let type = Value(tag: tag, bits: 0).typeName
            for name in names {
                #expect(Help.fields.contains { $0.name == name && $0.kind == .field(type) }, "no help entry for field \(type).\(name)")
            }
        }
    }

    @Test func everyKeywordHasAHelpEntry() {
        for word in Lexer.keywords {
            #expect(Help.keywords.contains { $0.name == word }, "no help entry for keyword \(word)")
        }
    }

    /// The reference holds every help entry's row verbatim; on failure, the rows to paste.
    @Test func referenceHoldsEveryHelpEntry() {
        let reference = Self.reference
        #expect(!reference.isEmpty, "docs/reference.md not found")
        for (title, entries) in Help.groups {
            let missing = entries.filter { !reference.contains($0.markdownRow + "\n") }
            #expect(
                missing.isEmpty,
                """
                docs/reference.md lacks these rows of \(title) (or has them differently); the table from Help.swift:
                | \(title == "keywords" ? "form" : "call") | does | example |
                |---|---|---|
                \(entries.map(\.markdownRow).joined(separator: "\n"))
                """)
        }
    }

    @Test func everyHelpExampleParses() {
        for e in Help.all {
            // `finally` is being added on another branch; until it is a keyword here, its example cannot parse.
            if e.example.contains("finally") && !Lexer.keywords.contains("finally") { continue }
            let (_, diagnostics) = Parser.parse(source: e.example, file: "<example>")
            #expect(diagnostics.isEmpty, "the example of \(e.name) (\(e.kindText)) does not parse: \(e.example)")
        }
    }

    @Test func referenceHasEveryReplCommand() {
        let reference = Self.reference
        for command in ReplCommand.allCases {
            #expect(reference.contains("`:\(command.rawValue)"), "docs/reference.md has no entry for :\(command.rawValue)")
        }
    }

    @Test func referenceHasEveryCommandLineFlag() {
        let help = ColangCommand.helpMessage(columns: 200)
        let flags = Set(
            help.split(whereSeparator: { " \t\n,=".contains($0) }).map(String.init).filter { word in
                word.hasPrefix("-") && word.dropFirst().allSatisfy { $0.isLetter || $0 == "-" } && word.count > 1
            })
        #expect(flags.contains("--dis") && flags.contains("-e") && flags.contains("--version"), "flags read from --help: \(flags)")
        let reference = Self.reference
        for flag in flags.sorted() {
            #expect(reference.contains("`\(flag)"), "docs/reference.md has no entry for \(flag)")
        }
    }
}
