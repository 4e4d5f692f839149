// Compiles every `.co` program in the repository and walks each function's code with the opcode
// table: instructions tile the code, jumps land on instructions, and the frame fits the stack.
import Foundation
import Testing
@testable import CoLang
@testable import CoLangSyntax

@Suite struct InstructionBoundaryTests {
    @Test("every function of a .co program decodes cleanly", arguments: RepositoryPrograms.all())
    func programDecodes(_ path: String) throws {
        let url = RepositoryPrograms.root.appendingPathComponent(path)
        let bytes = try Data(contentsOf: url)
        guard let source = String(data: bytes, encoding: .utf8) else {
            // Invalid UTF-8 is a syntax error; such a file must say so.
            let spec = FileSpec.parse(String(decoding: bytes, as: UTF8.self))
            #expect(spec.exitCode == ExitCode.syntaxError, "\(path) is not UTF-8 but does not expect a syntax error")
            return
        }
        var errors = ""
        let interp = Interpreter(stdout: { _ in }, stderr: { errors += $0 })
        guard let (proto, _) = interp.vm.compile(source: source, file: path) else {
            let spec = FileSpec.parse(source)
            #expect(spec.exitCode == ExitCode.syntaxError, "\(path) does not compile:\n\(errors)")
            return
        }
        for problem in BytecodeCheck.problems(in: proto) {
            Issue.record(Comment(rawValue: "\(path): \(problem)"))
        }
    }

    @Test func preludeDecodes() throws {
        let interp = Interpreter(stdout: { _ in }, stderr: { _ in })
        let (proto, _) = try #require(interp.vm.compile(source: VM.preludeSource, file: "<prelude>"))
        #expect(BytecodeCheck.problems(in: proto) == [])
    }

    /// The hand-assembled trampolines that start a fiber on a native (`VM.trampoline`).
    @Test func trampolinesDecode() {
        let interp = Interpreter(stdout: { _ in }, stderr: { _ in })
        for argc in [0, 1, 2, 5, 100] {
            let proto = interp.vm.trampoline(argc: argc).asClosure.proto
            #expect(BytecodeCheck.problems(in: proto) == [], "trampoline for \(argc) arguments")
        }
    }

    /// The check itself must be able to fail: a stray byte, a jump into an instruction, code cut
    /// short and a frame too small are each reported.
    @Test func brokenCodeIsReported() {
        func proto(_ code: [UInt8], maxStack: Int = 8) -> FunctionProto {
            FunctionProto(
                name: "t", arity: 0, source: SourceText(name: "t.co", text: ""), isPrelude: false,
                code: code, constants: [], positions: [], protos: [], upvalues: [], maxStack: maxStack)
        }
        let nilOp = OpCode.nil.rawValue, ret = OpCode.return.rawValue, jump = OpCode.jump.rawValue
        #expect(BytecodeCheck.problems(in: proto([nilOp, ret])) == [])
        #expect(!BytecodeCheck.problems(in: proto([nilOp, ret, 0xFF])).isEmpty)
        #expect(!BytecodeCheck.problems(in: proto([jump, 2, 0, 0, 0, nilOp, ret])).isEmpty)
        #expect(!BytecodeCheck.problems(in: proto([nilOp, OpCode.getLocal.rawValue])).isEmpty)
        // The callee and three nils fill four slots: a frame of three is one short.
        #expect(BytecodeCheck.problems(in: proto([nilOp, nilOp, nilOp, ret], maxStack: 4)) == [])
        #expect(!BytecodeCheck.problems(in: proto([nilOp, nilOp, nilOp, ret], maxStack: 3)).isEmpty)
    }

    /// The operands the table gives each opcode are the ones its `///` line in OpCode.swift names
    /// (`c:u16`, `t:t32`, …), so the prose and the table cannot drift apart.
    @Test func tableAgreesWithTheOpcodeDocs() throws {
        let file = RepositoryPrograms.root.appendingPathComponent("Sources/CoLang/Bytecode/OpCode.swift")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var documented: [String: [OperandKind]] = [:]
        var doc: Substring?
        for line in lines.map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("///") {
                if doc == nil { doc = line.dropFirst(3) }
            } else if line.hasPrefix("case "), let text = doc {
                let name = line.dropFirst(5).trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                // Operands are the `name:kind` words before `·` (CLOSURE's tail comes after "then").
                let head = text.split(separator: "·").first.map(String.init) ?? ""
                let fixed = head.components(separatedBy: "then").first ?? ""
                documented[name] = fixed.split(separator: " ").compactMap { word -> OperandKind? in
                    let kind = word.split(separator: ":").dropFirst().first.map { $0.trimmingCharacters(in: .punctuationCharacters) }
                    switch kind {
                    case "u8": return .u8
                    case "u16": return .u16
                    case "t32": return .u32
                    default: return nil
                    }
                }
                doc = nil
            } else {
                doc = nil
            }
        }
        for op in OpCode.allCases {
            let name = String(describing: op)
            #expect(
                documented[name] == op.layout.operands,
                "\(name): the doc line says \(documented[name] ?? []), the table \(op.layout.operands)")
        }
    }
}

/// What is wrong with a compiled function and the functions nested in it, walked with the opcode
/// table: empty when every instruction ends where the next begins, the last at the end of the
/// code, every jump lands on an instruction, the stack depth agrees wherever paths meet, and the
/// deepest stack fits the frame the compiler sized.
enum BytecodeCheck {
    static func problems(in proto: FunctionProto) -> [String] {
        var out: [String] = []
        var queue = [proto]
        while !queue.isEmpty {
            let p = queue.removeFirst()
            let name = p.name.isEmpty ? "<fn>" : p.name
            out += problems(ofOne: p).map { "\(name): \($0)" }
            queue += p.protos
        }
        return out
    }

    private static func problems(ofOne p: FunctionProto) -> [String] {
        var out: [String] = []
        // Boundaries: decode from 0; each instruction must end inside the code.
        var starts: Set<Int> = []
        var jumps: [(from: Int, to: Int)] = []
        var offset = 0
        while offset < p.codeCount {
            guard let ins = p.instruction(at: offset) else {
                out.append("no opcode at \(offset) (byte \(p.code[offset]))")
                return out
            }
            starts.insert(offset)
            if let t = ins.target { jumps.append((offset, t)) }
            if ins.op == .forLoop {
                let top = OpCode.forLoopTop(body: ins.operands[0])
                jumps.append((offset, top))
                if p.instruction(at: top)?.op != .forIter { out.append("FOR_LOOP at \(offset) goes back to \(top), not to a FOR_ITER") }
            }
            if ins.next > p.codeCount {
                out.append("\(ins.op.mnemonic) at \(offset) ends at \(ins.next), past the end of the code (\(p.codeCount))")
                return out
            }
            offset = ins.next
        }
        for j in jumps where !starts.contains(j.to) {
            out.append("the jump at \(j.from) lands at \(j.to), not on an instruction")
        }
        if !out.isEmpty { return out }
        out += stackProblems(p)
        return out
    }

    /// Follows every path from the entry (callee and arguments on the stack) with each opcode's
    /// stack effect. A handler starts one value above the depth at its `TRY_BEGIN` (the thrown one).
    private static func stackProblems(_ p: FunctionProto) -> [String] {
        var out: [String] = []
        var depthAt: [Int: Int] = [:]
        var work = [(offset: 0, depth: 1 + p.arity)]
        var peak = 1 + p.arity
        while let (offset, depth) = work.popLast() {
            if let known = depthAt[offset] {
                if known != depth { out.append("stack depth \(known) and \(depth) meet at \(offset)") }
                continue
            }
            depthAt[offset] = depth
            guard let ins = p.instruction(at: offset) else { continue }
            let after = depth + ins.op.stackEffect(ins.operands)
            peak = max(peak, depth + ins.op.layout.transient, after)
            if after < 1 { out.append("\(ins.op.mnemonic) at \(offset) pops into the callee slot") }
            switch ins.op {
            case .return, .returnLocal, .throw, .rethrow:
                break
            case .jump, .loop:
                work.append((ins.target!, after))
            case .forLoop:
                // Body and exit with the next value or the result; FOR_ITER with neither.
                work.append((ins.next, after))
                work.append((ins.operands[0], after))
                work.append((OpCode.forLoopTop(body: ins.operands[0]), after - 1))
            case .tryBegin, .tryFinally:
                work.append((ins.next, after))
                work.append((ins.target!, depth + 1))
            default:
                work.append((ins.next, after))
                if let t = ins.target { work.append((t, after)) }
            }
        }
        if peak > p.maxStack {
            out.append("the stack reaches \(peak) slots but the frame has \(p.maxStack)")
        }
        return out
    }
}

/// Every `.co` file of the repository (hidden folders such as `.build` skipped), relative to its root.
enum RepositoryPrograms {
    /// The repository: `../../` from `Tests/CoLangTests/`.
    static var root: URL { ConformanceFiles.testsDirectory.deletingLastPathComponent().deletingLastPathComponent() }

    static func all() -> [String] {
        let rootPath = root.resolvingSymlinksInPath().path
        guard
            let walker = FileManager.default.enumerator(
                at: URL(fileURLWithPath: rootPath), includingPropertiesForKeys: nil,
                options: [.skipsHiddenFiles])
        else { return [] }
        var found: [String] = []
        while let url = walker.nextObject() as? URL {
            guard url.pathExtension == "co" else { continue }
            let path = url.resolvingSymlinksInPath().path
            if path.hasPrefix(rootPath + "/") { found.append(String(path.dropFirst(rootPath.count + 1))) }
        }
        return found.sorted()
    }
}
