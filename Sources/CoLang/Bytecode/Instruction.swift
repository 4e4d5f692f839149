// Decoding one instruction from a function's code with the opcode table (OpCode.layout).

/// One instruction as the opcode table reads it: what the disassembler prints and what the
/// instruction-boundary test walks.
struct Instruction {
    let op: OpCode
    let offset: Int
    /// The fixed operands' values, in the order of `op.layout.operands`.
    let operands: [Int]
    /// `CLOSURE` only: the (isLocal, index) byte pair of each upvalue of the prototype it names.
    let captures: [(isLocal: Int, index: Int)]
    /// Bytes from the opcode to the end of the last operand (captures included).
    let length: Int

    /// Where the next instruction begins.
    var next: Int { offset + length }

    /// The code offset the instruction may jump to, if it jumps.
    var target: Int? { op.targetOperand.map { operands[$0] } }
}

extension FunctionProto {
    /// Decodes the instruction at `offset`, or nil if that byte is no opcode. Operand bytes past
    /// the end of the code read as 0 (a listing of broken code still shows something); the
    /// instruction's `next` then lies beyond `codeCount`. A `CLOSURE` naming no prototype of this
    /// function has no captures.
    func instruction(at offset: Int) -> Instruction? {
        guard offset >= 0, offset < codeCount, let op = OpCode(rawValue: code[offset]) else { return nil }
        func byte(_ at: Int) -> Int { at < codeCount ? Int(code[at]) : 0 }
        var at = offset + 1
        var operands: [Int] = []
        for kind in op.layout.operands {
            var value = 0
            for i in 0..<kind.size { value |= byte(at + i) << (8 * i) }
            operands.append(value)
            at += kind.size
        }
        var captures: [(isLocal: Int, index: Int)] = []
        if op.hasCaptureTail, let p = operands.first, p < protos.count {
            for _ in protos[p].upvalues {
                captures.append((byte(at), byte(at + 1)))
                at += 2
            }
        }
        return Instruction(op: op, offset: offset, operands: operands, captures: captures, length: at - offset)
    }
}
