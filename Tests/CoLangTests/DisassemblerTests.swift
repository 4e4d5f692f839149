// Unit tests for the disassembler: every function is listed, operands and constants are shown.
import Testing
@testable import CoLang

@Suite struct DisassemblerTests {
    private func listing(_ source: String) -> String {
        var errors = ""
        let interp = Interpreter(stdout: { _ in }, stderr: { errors += $0 })
        let text = interp.disassemble(source: source, file: "t.co") ?? "ERRORS: \(errors)"
        return text
    }

    @Test func listsEveryFunctionWithHeader() {
        let text = listing("fn add(a, b) { return a + b }\nlet f = fn(x) { return x }\nprint(add(1, 2))")
        #expect(text.contains("== <script> (t.co:1)"))
        #expect(text.contains("== add (t.co:1) arity 2"))
        #expect(text.contains("== <fn> (t.co:2) arity 1"))
    }

    @Test func showsOffsetsLinesOperandsAndConstants() {
        let text = listing("let s = \"hi\"\nprint(s, 100000)")
        let lines = text.split(separator: "\n").map(String.init)
        // offset, line (or | for the same line), mnemonic, operand, constant value
        #expect(lines.contains { $0.hasPrefix("0000    1 CONSTANT") && $0.hasSuffix("\"hi\"") })
        #expect(lines.contains { $0.contains("| CONSTANT") && $0.hasSuffix("100000") })
        #expect(lines.contains { $0.contains("DEFINE_GLOBAL") && $0.hasSuffix("'s'") })
        #expect(lines.contains { $0.hasPrefix("0003    | ") || $0.hasPrefix("0003    1 ") })
        #expect(lines.contains { $0.contains("    2 GET_GLOBAL") && $0.hasSuffix("'print'") })
    }

    @Test func showsJumpTargetsAndClosureCaptures() {
        let text = listing("fn outer() {\n  let n = 0\n  fn inc() { n += 1; return n }\n  while n < 3 { inc() }\n  return n\n}")
        #expect(text.contains("CLOSURE"))
        #expect(text.contains("local 1"))                 // inc captures outer's slot 1
        #expect(text.contains("JUMP_UNLESS_LESS_LOCAL_SMALL"))   // the fused loop condition `n < 3`
        #expect(text.contains("LOOP              -> "))
        #expect(text.contains("GET_UPVALUE"))
    }

    @Test func everyOpcodeHasAMnemonicAndSize() {
        for op in OpCode.allCases {
            #expect(!op.mnemonic.isEmpty)
            #expect(op.mnemonic == op.mnemonic.uppercased())
            #expect(op.operandSize >= 0 && op.operandSize <= 7)
        }
    }

    @Test func coroutineFunctionsAreListedLikeAnyOther() {
        let text = listing("fn gen() { yield 1; let x = yield from [1, 2]; return x }")
        #expect(text.contains("== gen (t.co:1)"))
        #expect(text.contains("YIELD"))
        #expect(text.contains("YIELD_FROM_NEXT   -> "))
        #expect(text.contains("GET_ITER"))
    }

    @Test func syntaxErrorsGiveNoListing() {
        var errors = ""
        let interp = Interpreter(stdout: { _ in }, stderr: { errors += $0 })
        #expect(interp.disassemble(source: "let = 1", file: "t.co") == nil)
        #expect(errors.contains("t.co:1:5: error:"))
    }
}
