// A clox-style listing of compiled functions: offset, line, opcode, operands and constant values.

enum Disassembler {
    /// The listing of `proto` and, after it, of every function nested in it.
    static func listing(_ proto: FunctionProto, vm: VM) -> String {
        var out = ""
        var queue = [proto]
        while !queue.isEmpty {
            let p = queue.removeFirst()
            out += function(p, vm: vm)
            queue.append(contentsOf: p.protos)
        }
        return out
    }

    /// The listing of one function.
    static func function(_ proto: FunctionProto, vm: VM) -> String {
        let name = proto.name.isEmpty ? "<fn>" : proto.name
        let first = proto.positions.first?.loc.line ?? 0
        var out = "== \(name) (\(proto.source.name):\(first)) arity \(proto.arity), stack \(proto.maxStack) ==\n"
        var offset = 0
        var lastLine = -1
        while offset < proto.codeCount {
            let line = proto.location(at: offset).line
            let (text, next) = instruction(proto, offset: offset, vm: vm, lineMark: line == lastLine ? "   |" : pad(line, 4))
            lastLine = line
            out += text + "\n"
            offset = next
        }
        return out
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }

    /// An offset as four decimal digits (`0042`), the column the listings align on.
    private static func offset4(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// One instruction as text, and the offset of the next one. Operands and lengths come from
    /// the opcode table (`FunctionProto.instruction(at:)`), never from knowledge kept here.
    static func instruction(_ proto: FunctionProto, offset: Int, vm: VM, lineMark: String? = nil) -> (String, Int) {
        let mark = lineMark ?? pad(proto.location(at: offset).line, 4)
        let prefix = "\(offset4(offset)) \(mark) "
        guard let ins = proto.instruction(at: offset) else {
            return (prefix + "<bad opcode>", offset + 1)
        }
        let op = ins.op, a = ins.operands, next = ins.next
        let name = op.mnemonic.padded(to: max(18, op.mnemonic.count + 1))
        func constant(_ i: Int) -> String { i < proto.constantCount ? vm.repr(proto.constants[i]) : "?" }
        func small(_ bits: Int) -> Int16 { Int16(bitPattern: UInt16(truncatingIfNeeded: bits)) }
        // A local slot with its name, as Python's dis shows `LOAD_FAST 1 (total)`.
        func local(_ slot: Int) -> String {
            proto.localName(slot, at: offset).map { "\(pad(slot, 4)) (\($0))" } ?? pad(slot, 4)
        }
        func upvalue(_ index: Int) -> String {
            index < proto.upvalueNames.count ? "\(pad(index, 4)) (\(proto.upvalueNames[index]))" : pad(index, 4)
        }
        switch op {
        case .constant, .getField, .setField:
            return (prefix + name + "\(pad(a[0], 4)) \(constant(a[0]))", next)
        case .smallInt, .addSmall, .subtractSmall, .moduloSmall:
            return (prefix + name + String(small(a[0])), next)
        case .getGlobal, .defineGlobal, .storeGlobal:
            let g = a[0]
            let gname = g < vm.globals.names.count ? vm.globals.names[g] : "?"
            return (prefix + name + "\(pad(g, 4)) '\(gname)'", next)
        case .getLocal, .storeLocal, .addToLocal, .returnLocal:
            return (prefix + name + local(a[0]), next)
        case .getUpvalue, .storeUpvalue:
            return (prefix + name + upvalue(a[0]), next)
        case .call where proto.isRangeLoopCall(at: offset):
            // A `for x in range(…)` loop: the built-in `range` starts it in ints (VM.callOther).
            return (prefix + name + pad(a[0], 4) + " (range loop)", next)
        case .call, .spawn, .popN, .stringPart, .concat:
            return (prefix + name + pad(a[0], 4), next)
        case .buildList, .buildMap, .buildString:
            return (prefix + name + pad(a[0], 4), next)
        case .invoke:
            return (prefix + name + "(\(a[2]) args)\(pad(a[0], 4)) \(constant(a[0]))", next)
        case .getLocal2, .localsSubtract, .localsMultiply:
            return (prefix + name + "\(local(a[0])) \(local(a[1]).trimmingSpaces)", next)
        case .getLocalField:
            return (prefix + name + "\(local(a[0])) \(constant(a[1]))", next)
        case .jumpUnlessLessLocals, .loopIfLessLocals:
            return (prefix + name + "\(local(a[0])) \(local(a[1]).trimmingSpaces) -> \(offset4(a[2]))", next)
        case .jumpUnlessLessLocalSmall, .loopIfLessLocalSmall, .jumpUnlessEqualLocalSmall:
            return (prefix + name + "\(local(a[0])) \(small(a[1])) -> \(offset4(a[2]))", next)
        case .addLocalSmall:
            let n = small(a[1])
            return (prefix + name + "\(local(a[0])) \(n >= 0 ? "+" : "")\(n)", next)
        case .localAddSmall, .localSubtractSmall, .getLocalIndexSmall:
            return (prefix + name + "\(local(a[0])) \(small(a[1]))", next)
        case .jump, .jumpIfFalse, .jumpIfTrue, .popJumpIfFalse, .loop, .loopIfTrue, .forIter, .yieldFromNext, .tryBegin, .tryFinally,
            .jumpUnlessLess, .jumpUnlessLessEqual, .jumpUnlessGreater, .jumpUnlessGreaterEqual,
            .jumpUnlessEqual, .jumpUnlessNotEqual, .jumpUnlessNil, .jumpIfNil:
            return (prefix + name + "-> \(offset4(a[0]))", next)
        case .forLoop:
            return (prefix + name + "-> \(offset4(a[0])) (else -> \(offset4(OpCode.forLoopTop(body: a[0]))))", next)
        case .closure:
            let i = a[0]
            guard i < proto.protos.count else { return (prefix + name + "?", next) }
            let inner = proto.protos[i]
            var text = prefix + name + "\(pad(i, 4)) <fn \(inner.name.isEmpty ? "<fn>" : inner.name)>"
            var at = offset + 1 + op.operandSize
            for (i, c) in ins.captures.enumerated() {
                text += "\n\(offset4(at))    |                     \(c.isLocal == 1 ? "local" : "upvalue") \(c.index)"
                if i < inner.upvalueNames.count { text += " (\(inner.upvalueNames[i]))" }
                at += 2
            }
            return (text, next)
        case .nil, .true, .false, .pop, .popUnder, .dup, .dup2, .getIndex, .setIndex,
            .add, .subtract, .multiply, .divide, .floorDivide, .modulo, .negate, .not,
            .power, .bitAnd, .bitOr, .bitXor, .shiftLeft, .shiftRight, .bitNot,
            .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual,
            .closeUpvalue, .return, .getIter, .yield, .tryEnd, .throw, .rethrow:
            return (prefix + op.mnemonic, next)
        }
    }
}

extension String {
    /// Without leading spaces (a padded operand written second on a line).
    fileprivate var trimmingSpaces: String { String(drop { $0 == " " }) }
}
