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

    /// One instruction as text, and the offset of the next one.
    static func instruction(_ proto: FunctionProto, offset: Int, vm: VM, lineMark: String? = nil) -> (String, Int) {
        let code = proto.code
        let mark = lineMark ?? pad(proto.location(at: offset).line, 4)
        let prefix = "\(offset4(offset)) \(mark) "
        guard offset < proto.codeCount, let op = OpCode(rawValue: code[offset]) else {
            return (prefix + "<bad opcode>", offset + 1)
        }
        let name = op.mnemonic.padded(to: max(18, op.mnemonic.count + 1))
        func u8(_ at: Int) -> Int { at < proto.codeCount ? Int(code[at]) : 0 }
        func u16(_ at: Int) -> Int { u8(at) | (u8(at + 1) << 8) }
        func u32(_ at: Int) -> Int { u16(at) | (u16(at + 2) << 16) }
        func constant(_ i: Int) -> String { i < proto.constantCount ? vm.repr(proto.constants[i]) : "?" }
        let next = offset + 1 + op.operandSize
        switch op {
        case .constant, .getField, .setField:
            let i = u16(offset + 1)
            return (prefix + name + "\(pad(i, 4)) \(constant(i))", next)
        case .smallInt, .addSmall, .subtractSmall, .moduloSmall:
            return (prefix + name + String(Int16(bitPattern: UInt16(truncatingIfNeeded: u16(offset + 1)))), next)
        case .getGlobal, .setGlobal, .defineGlobal, .storeGlobal:
            let g = u16(offset + 1)
            let gname = g < vm.globals.names.count ? vm.globals.names[g] : "?"
            return (prefix + name + "\(pad(g, 4)) '\(gname)'", next)
        case .getLocal, .setLocal, .getUpvalue, .setUpvalue, .call, .spawn, .storeLocal, .storeUpvalue, .addToLocal, .returnLocal:
            return (prefix + name + pad(u8(offset + 1), 4), next)
        case .buildList, .buildMap, .buildString:
            return (prefix + name + pad(u16(offset + 1), 4), next)
        case .invoke:
            let i = u16(offset + 1)
            return (prefix + name + "(\(u8(offset + 5)) args)\(pad(i, 4)) \(constant(i))", next)
        case .getLocal2:
            return (prefix + name + "\(pad(u8(offset + 1), 4)) \(u8(offset + 2))", next)
        case .jumpUnlessLessLocals, .loopIfLessLocals:
            return (prefix + name + "\(pad(u8(offset + 1), 4)) \(u8(offset + 2)) -> \(offset4(u32(offset + 3)))", next)
        case .jumpUnlessLessLocalSmall, .loopIfLessLocalSmall:
            let n = Int16(bitPattern: UInt16(truncatingIfNeeded: u16(offset + 2)))
            return (prefix + name + "\(pad(u8(offset + 1), 4)) \(n) -> \(offset4(u32(offset + 4)))", next)
        case .addLocalSmall:
            let n = Int16(bitPattern: UInt16(truncatingIfNeeded: u16(offset + 2)))
            return (prefix + name + "\(pad(u8(offset + 1), 4)) \(n >= 0 ? "+" : "")\(n)", next)
        case .localAddSmall, .localSubtractSmall:
            let n = Int16(bitPattern: UInt16(truncatingIfNeeded: u16(offset + 2)))
            return (prefix + name + "\(pad(u8(offset + 1), 4)) \(n)", next)
        case .jump, .jumpIfFalse, .jumpIfTrue, .popJumpIfFalse, .loop, .loopIfTrue, .forIter, .yieldFromNext, .tryBegin,
             .jumpUnlessLess, .jumpUnlessLessEqual, .jumpUnlessGreater, .jumpUnlessGreaterEqual,
             .jumpUnlessEqual, .jumpUnlessNotEqual:
            return (prefix + name + "-> \(offset4(u32(offset + 1)))", next)
        case .closure:
            let i = u16(offset + 1)
            guard i < proto.protos.count else { return (prefix + name + "?", next) }
            let inner = proto.protos[i]
            var text = prefix + name + "\(pad(i, 4)) <fn \(inner.name.isEmpty ? "<fn>" : inner.name)>"
            var at = next
            for _ in inner.upvalues {
                text += "\n\(offset4(at))    |                     \(u8(at) == 1 ? "local" : "upvalue") \(u8(at + 1))"
                at += 2
            }
            return (text, at)
        case .nil, .true, .false, .pop, .popUnder, .dup, .dup2, .getIndex, .setIndex,
             .add, .subtract, .multiply, .divide, .floorDivide, .modulo, .negate, .not,
             .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual,
             .closeUpvalue, .return, .getIter, .yield, .tryEnd, .throw:
            return (prefix + op.mnemonic, next)
        }
    }
}
