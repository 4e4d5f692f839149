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
        // `inc` is declared at the start of outer's body (slot 1, nil until its `fn` runs: see
        // hoistFunctions), so `n` is slot 2, which inc captures.
        #expect(text.contains("0000    3 NIL"))
        #expect(text.contains("local 2 (n)"))
        #expect(text.contains("STORE_LOCAL          1 (inc)"))
        // The loop jumps to its test at the bottom, which jumps back while `n < 3` holds.
        #expect(text.contains("JUMP              -> "))
        #expect(text.contains("LOOP_IF_LESS_LOCAL_SMALL    2 (n) 3 -> "))
        #expect(text.contains("GET_UPVALUE          0 (n)"))
    }

    @Test func whileLoopsTestAtTheBottom() {
        let lines = listing("fn f(n) {\n  let i = 0\n  while i < n { i += 1 }\n  while true { if i > 9 { break }; i += 2 }\n  return i\n}")
            .split(separator: "\n").map(String.init)
        func offset(_ line: String) -> Int { Int(line.prefix(4), radix: 16) ?? -1 }
        guard let entry = lines.firstIndex(where: { $0.contains(" JUMP ") }),
            let test = lines.firstIndex(where: { $0.contains("LOOP_IF_LESS_LOCALS    2 (i) 1 (n) -> ") })
        else {
            Issue.record("no bottom test in:\n\(lines.joined(separator: "\n"))")
            return
        }
        // The entry jump lands on the test; the test jumps back to the instruction after the entry jump.
        #expect(lines[entry].hasSuffix("-> " + lines[test].prefix(4)))
        #expect(lines[test].hasSuffix("-> " + lines[entry + 1].prefix(4)))
        #expect(offset(lines[entry]) < offset(lines[test]))
        // `while true` has no test: one LOOP back to its first instruction.
        #expect(lines.contains { $0.contains("LOOP              -> ") })
        #expect(lines.contains { $0.contains("RETURN_LOCAL         2 (i)") })
    }

    @Test func smallStepsOnLocalsAreOneInstruction() {
        let text = listing("fn fib(n) { if n < 2 { return n }; return fib(n - 1) + fib(n - 2) }")
        #expect(text.contains("LOCAL_SUBTRACT_SMALL    1 (n) 1"))
        #expect(text.contains("LOCAL_SUBTRACT_SMALL    1 (n) 2"))
        #expect(text.contains("RETURN_LOCAL         1 (n)"))
        #expect(listing("fn g(x) { return x + 7 }").contains("LOCAL_ADD_SMALL      1 (x) 7"))
    }

    /// Local slots are named as Python's dis names `LOAD_FAST 1 (total)`: by the variable that
    /// holds the slot at that instruction (a slot reused by a later block gets that block's name).
    @Test func namesLocalsGlobalsAndUpvaluesNextToTheirSlots() {
        let text = listing(
            """
            let scale = 2
            fn sum(xs) {
              let total = 0
              for x in xs { total += x * scale }
              if total > 10 { let big = total; print(big) } else { let small = total; print(small) }
              let f = fn() { return total }
              return f()
            }
            """)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(text.contains("GET_LOCAL            1 (xs)"))
        #expect(text.contains("ADD_TO_LOCAL         2 (total)"))
        #expect(text.contains("GET_GLOBAL") && text.contains("'scale'"))
        // `big` and `small` live in the same slot, one after the other.
        let big = lines.firstIndex { $0.contains("(big)") }, small = lines.firstIndex { $0.contains("(small)") }
        #expect(big != nil && small != nil && big! < small!)
        #expect(text.contains("local 2 (total)"))  // the closure's capture
        #expect(text.contains("GET_UPVALUE          0 (total)"))
        #expect(text.contains("GET_LOCAL            3 (f)"))
        // Two locals in one instruction.
        #expect(listing("fn f(a, b) { return a < b }").contains("GET_LOCAL2           1 (a) 2 (b)"))
        // `-` and `*` of two locals are one instruction; `+` stays two (see Run.swift).
        let arithmetic = listing("fn f(a, b) { return a * b - b * a + a - b }")
        #expect(arithmetic.contains("LOCALS_MULTIPLY      1 (a) 2 (b)"))
        #expect(arithmetic.contains("LOCALS_MULTIPLY      2 (b) 1 (a)"))
        #expect(arithmetic.contains("LOCALS_SUBTRACT") == false)  // `(… + a) - b` has one local
        #expect(listing("fn f(a, b) { return a - b }").contains("LOCALS_SUBTRACT      1 (a) 2 (b)"))
        #expect(listing("fn f(a, b) { return a + b }").contains("GET_LOCAL2           1 (a) 2 (b)"))
        // A range loop's call says so; another call of `range` does not.
        let loop = listing("fn f(n) { for i in range(n) { print(i) }; return range(n) }")
        #expect(loop.contains("CALL                 1 (range loop)"))
        #expect(loop.components(separatedBy: "(range loop)").count == 2)
    }

    @Test func everyOpcodeHasAMnemonicAndSize() {
        for op in OpCode.allCases {
            #expect(!op.mnemonic.isEmpty)
            #expect(op.mnemonic == op.mnemonic.uppercased())
            #expect(op.operandSize >= 0 && op.operandSize <= 7)
        }
        // FOR_LOOP finds its FOR_ITER through this literal.
        #expect(OpCode.forIterOperandSize == OpCode.forIter.operandSize)
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
