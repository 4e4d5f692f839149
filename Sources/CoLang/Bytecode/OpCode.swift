// Every instruction of the VM, defined once with its operands and stack effect.

/// Operands follow the opcode byte: `u8` one byte, `u16` two bytes little-endian, `t32` a
/// four-byte absolute code offset. Stack effects read `before -> after`. `OpCode.layout` gives
/// the same as data for the compiler and the disassembler; InstructionBoundaryTests checks that
/// each line's operands match it.
enum OpCode: UInt8, CaseIterable {
    /// c:u16 · `-> constants[c]`
    case constant
    /// `-> nil`
    case `nil`
    /// `-> true`
    case `true`
    /// `-> false`
    case `false`
    /// n:u16 (bit pattern of an Int16) · `-> n`, small integers without a constant
    case smallInt
    /// `v ->`
    case pop
    /// n:u8 · `v1 ... vn ->`, the end of a scope with n plain locals (one dispatch, not n pops)
    case popN
    /// `a b -> b`, drops the value under the top
    case popUnder
    /// `v -> v v`
    case dup
    /// `a b -> a b a b`
    case dup2
    /// s:u8 · `v ->`, stores into locals[s] (an assignment statement)
    case storeLocal
    /// u:u8 · `v ->`
    case storeUpvalue
    /// g:u16 · `v ->` (error if undefined)
    case storeGlobal
    /// s:u8 n:u16 (Int16 bits) · `->`, locals[s] += n (`x += 1` on a local)
    case addLocalSmall
    /// n:u16 (Int16 bits) · `a -> a+n` (`x + 1` with a small literal)
    case addSmall
    /// n:u16 (Int16 bits) · `a -> a-n` (`x - 1` with a small literal)
    case subtractSmall
    /// t:t32 · `a b ->`, jumps unless a < b (a fused `<` and conditional jump)
    case jumpUnlessLess
    /// t:t32 · `a b ->`, jumps unless a <= b
    case jumpUnlessLessEqual
    /// t:t32 · `a b ->`, jumps unless a > b
    case jumpUnlessGreater
    /// t:t32 · `a b ->`, jumps unless a >= b
    case jumpUnlessGreaterEqual
    /// t:t32 · `a b ->`, jumps unless a == b
    case jumpUnlessEqual
    /// t:t32 · `a b ->`, jumps unless a != b
    case jumpUnlessNotEqual
    /// a:u8 b:u8 t:t32 · `->`, jumps unless locals[a] < locals[b] (a loop condition)
    case jumpUnlessLessLocals
    /// a:u8 n:u16 (Int16 bits) t:t32 · `->`, jumps unless locals[a] < n
    case jumpUnlessLessLocalSmall
    /// a:u8 n:u16 (Int16 bits) t:t32 · `->`, jumps unless locals[a] == n (`if depth == 0`)
    case jumpUnlessEqualLocalSmall
    /// t:t32 · `v ->`, jumps unless v is nil (`if x == nil`)
    case jumpUnlessNil
    /// t:t32 · `v ->`, jumps if v is nil (`if x != nil`)
    case jumpIfNil
    /// s:u8 n:u16 (Int16 bits) · `-> locals[s][n]` (`node[0]` on a local)
    case getLocalIndexSmall
    /// a:u8 b:u8 · `-> locals[a] locals[b]`
    case getLocal2
    /// s:u8 name:u16 · `-> locals[s].name` (`b.x` on a local: objects as maps)
    case getLocalField
    /// s:u8 · `v ->`, locals[s] = locals[s] + v (`x += expr` on a local)
    case addToLocal
    /// n:u16 (Int16 bits, not 0) · `a -> a % n` (`x % 2` with a small literal)
    case moduloSmall
    /// s:u8 n:u16 (Int16 bits) · `-> locals[s]+n` (`x + 1` on a local)
    case localAddSmall
    /// s:u8 n:u16 (Int16 bits) · `-> locals[s]-n` (`n - 1` on a local)
    case localSubtractSmall
    /// s:u8 · returns locals[s] from the current function (`return x`)
    case returnLocal
    /// t:t32 · `v ->`, jumps backward to t if v is truthy (the test at the bottom of a `while`)
    case loopIfTrue
    /// a:u8 b:u8 t:t32 · `->`, jumps backward to t if locals[a] < locals[b]
    case loopIfLessLocals
    /// a:u8 n:u16 (Int16 bits) t:t32 · `->`, jumps backward to t if locals[a] < n
    case loopIfLessLocalSmall
    /// s:u8 · `-> locals[s]`
    case getLocal
    /// u:u8 · `-> upvalue[u]`
    case getUpvalue
    /// g:u16 · `-> globals[g]` (error if undefined)
    case getGlobal
    /// g:u16 · `v ->`, declares or redeclares the global
    case defineGlobal
    /// `obj index -> obj[index]`
    case getIndex
    /// `obj index v ->` (assignment is a statement, so nothing is left)
    case setIndex
    /// name:u16 · `obj -> obj.name`
    case getField
    /// name:u16 · `obj v ->` (assignment is a statement, so nothing is left)
    case setField
    /// `a b -> a+b`
    case add
    /// `a b -> a-b`
    case subtract
    /// `a b -> a*b`
    case multiply
    /// `a b -> a/b` (always a float)
    case divide
    /// `a b -> a//b` (floored)
    case floorDivide
    /// `a b -> a%b` (floored)
    case modulo
    /// `a b -> a**b`
    case power
    /// `a b -> a&b` (ints)
    case bitAnd
    /// `a b -> a|b` (ints)
    case bitOr
    /// `a b -> a^b` (ints)
    case bitXor
    /// `a b -> a<<b` (ints)
    case shiftLeft
    /// `a b -> a>>b` (ints, arithmetic)
    case shiftRight
    /// `a -> -a`
    case negate
    /// `a -> ~a` (ints)
    case bitNot
    /// `a -> not a`
    case not
    /// `a b -> a==b`
    case equal
    /// `a b -> a!=b`
    case notEqual
    /// `a b -> a<b`
    case less
    /// `a b -> a<=b`
    case lessEqual
    /// `a b -> a>b`
    case greater
    /// `a b -> a>=b`
    case greaterEqual
    /// t:t32 · jumps forward
    case jump
    /// t:t32 · `v -> v`, jumps if v is falsy
    case jumpIfFalse
    /// t:t32 · `v -> v`, jumps if v is truthy
    case jumpIfTrue
    /// t:t32 · `v ->`, jumps if v is falsy
    case popJumpIfFalse
    /// t:t32 · jumps backward (interrupts and step limits are checked by the instruction budget,
    /// at any instruction, not here)
    case loop
    /// n:u8 · `f a1..an -> result`
    case call
    /// name:u16 id:u16 n:u8 · `recv a1..an -> result`, calls method `name` (interned as `id`) of recv
    case invoke
    /// p:u16, then per upvalue isLocal:u8 index:u8 · `-> closure`
    case closure
    /// `v ->`, closing the upvalue that captured this slot
    case closeUpvalue
    /// `v -> ` returns v from the current function
    case `return`
    /// n:u16 · `v1..vn -> [v1..vn]`
    case buildList
    /// n:u16 · `k1 v1..kn vn -> {k1: v1..}`
    case buildMap
    /// n:u16 · `p1..pn -> "p1..pn"` (each converted as by str)
    case buildString
    /// `iterable -> iterator` (a coroutine is its own iterator)
    case getIter
    /// t:t32 · `it -> it next`, or at the end `it result` and jump to t
    case forIter
    /// `v -> sent`, suspends the coroutine (or gives up the task's turn)
    case yield
    /// t:t32 · `it sent -> it v` resuming `it` with sent, or when done `it result` and jump
    case yieldFromNext
    /// t:t32 · installs a handler whose catch code starts at t
    case tryBegin
    /// removes the innermost handler
    case tryEnd
    /// t:t32 · installs a `finally` handler whose code starts at t: it also runs for a close or
    /// a cancellation, which `catch` handlers let through
    case tryFinally
    /// `v ->` throws v
    case `throw`
    /// `v ->` throws v again at the end of a `finally` block (its trace is the original one)
    case rethrow
    /// n:u8 · `f a1..an -> task`
    case spawn
    /// b:t32 · the end of a `for` loop's iteration whose variable no closure captured:
    /// `it v -> it next` and jump to b (the body) when `it` steps a range or a list in place,
    /// `it v -> it result` and fall through (the loop's exit) when it has no more, and otherwise
    /// `it v -> it` and jump to the loop's `FOR_ITER`, which the body directly follows
    /// (`forLoopTop`). One instruction per iteration instead of `POP; LOOP; FOR_ITER`.
    case forLoop
    /// k:u8 · `s1..sk -> s1..sk`, the `+` before sk in a chain that begins with a string literal:
    /// the error `+` gives unless sk is a string, or when s1..sk joined would pass the memory limit
    case stringPart
    /// n:u8 · `s1..sn -> "s1..sn"`, the last `+` of such a chain: one string for the whole chain
    case concat
    /// a:u8 b:u8 · `-> locals[a]-locals[b]` (`x - y` of two locals)
    case localsSubtract
    /// a:u8 b:u8 · `-> locals[a]*locals[b]` (`dx * dx` of two locals)
    case localsMultiply
}

/// The shape of one operand after the opcode byte.
enum OperandKind {
    /// One byte.
    case u8
    /// Two bytes, little-endian.
    case u16
    /// Four bytes, little-endian: always an absolute code offset (a jump target, `t32` above).
    case u32

    /// Bytes the operand takes.
    var size: Int {
        switch self {
        case .u8: return 1
        case .u16: return 2
        case .u32: return 4
        }
    }
}

/// How an instruction changes the stack depth: values pushed minus values popped.
enum StackEffect: Equatable {
    /// Always this change.
    case fixed(Int)
    /// `base + scale * operands[operand]`: the change depends on a count the instruction carries
    /// (`CALL n` pops n arguments, `BUILD_MAP n` pops 2n values and pushes the map).
    case counted(base: Int, scale: Int, operand: Int)
}

/// What the compiler, the disassembler and the tests know about an opcode: its operands and its
/// stack effect, written once in `OpCode.layout`.
struct OpLayout {
    /// The fixed operands in order; `CLOSURE` is followed by more (`OpCode.hasCaptureTail`).
    let operands: [OperandKind]
    let effect: StackEffect
    /// Slots the instruction pushes beyond its net effect while it runs (`RETURN_LOCAL` pushes
    /// the local, then returns it; `CALL` and `INVOKE` insert a method's receiver;
    /// `LOCALS_MULTIPLY` pushes two locals and leaves their product): the frame must have room
    /// for them.
    var transient = 0

    init(_ operands: [OperandKind], _ effect: StackEffect, transient: Int = 0) {
        self.operands = operands; self.effect = effect; self.transient = transient
    }
}

extension OpCode {
    /// The operand layout and stack effect of every opcode, in the order of the cases above (the
    /// doc line of each case says the same in prose).
    private func makeLayout() -> OpLayout {
        switch self {
        case .constant: return OpLayout([.u16], .fixed(1))
        case .nil, .true, .false: return OpLayout([], .fixed(1))
        case .smallInt: return OpLayout([.u16], .fixed(1))
        case .pop, .popUnder: return OpLayout([], .fixed(-1))
        case .popN: return OpLayout([.u8], .counted(base: 0, scale: -1, operand: 0))
        case .dup: return OpLayout([], .fixed(1))
        case .dup2: return OpLayout([], .fixed(2))
        case .storeLocal, .storeUpvalue: return OpLayout([.u8], .fixed(-1))
        case .storeGlobal: return OpLayout([.u16], .fixed(-1))
        case .addLocalSmall: return OpLayout([.u8, .u16], .fixed(0))
        case .addSmall, .subtractSmall: return OpLayout([.u16], .fixed(0))
        case .jumpUnlessLess, .jumpUnlessLessEqual, .jumpUnlessGreater, .jumpUnlessGreaterEqual,
            .jumpUnlessEqual, .jumpUnlessNotEqual:
            return OpLayout([.u32], .fixed(-2))
        case .jumpUnlessLessLocals: return OpLayout([.u8, .u8, .u32], .fixed(0))
        case .jumpUnlessLessLocalSmall: return OpLayout([.u8, .u16, .u32], .fixed(0))
        case .jumpUnlessEqualLocalSmall: return OpLayout([.u8, .u16, .u32], .fixed(0))
        case .jumpUnlessNil, .jumpIfNil: return OpLayout([.u32], .fixed(-1))
        case .getLocalIndexSmall: return OpLayout([.u8, .u16], .fixed(1))
        case .getLocal2: return OpLayout([.u8, .u8], .fixed(2))
        case .localsSubtract, .localsMultiply: return OpLayout([.u8, .u8], .fixed(1), transient: 2)
        case .getLocalField: return OpLayout([.u8, .u16], .fixed(1))
        case .addToLocal: return OpLayout([.u8], .fixed(-1))
        case .moduloSmall: return OpLayout([.u16], .fixed(0))
        case .localAddSmall, .localSubtractSmall: return OpLayout([.u8, .u16], .fixed(1))
        case .returnLocal: return OpLayout([.u8], .fixed(0), transient: 1)
        case .loopIfTrue: return OpLayout([.u32], .fixed(-1))
        case .loopIfLessLocals: return OpLayout([.u8, .u8, .u32], .fixed(0))
        case .loopIfLessLocalSmall: return OpLayout([.u8, .u16, .u32], .fixed(0))
        case .getLocal: return OpLayout([.u8], .fixed(1))
        case .getUpvalue: return OpLayout([.u8], .fixed(1))
        case .getGlobal: return OpLayout([.u16], .fixed(1))
        case .defineGlobal: return OpLayout([.u16], .fixed(-1))
        case .getIndex: return OpLayout([], .fixed(-1))
        case .setIndex: return OpLayout([], .fixed(-3))
        case .getField: return OpLayout([.u16], .fixed(0))
        case .setField: return OpLayout([.u16], .fixed(-2))
        case .add, .subtract, .multiply, .divide, .floorDivide, .modulo: return OpLayout([], .fixed(-1))
        case .power, .bitAnd, .bitOr, .bitXor, .shiftLeft, .shiftRight: return OpLayout([], .fixed(-1))
        case .negate, .not, .bitNot: return OpLayout([], .fixed(0))
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return OpLayout([], .fixed(-1))
        case .jump, .jumpIfFalse, .jumpIfTrue: return OpLayout([.u32], .fixed(0))
        case .popJumpIfFalse: return OpLayout([.u32], .fixed(-1))
        case .loop: return OpLayout([.u32], .fixed(0))
        // A call may insert a receiver under the arguments (`VM.insertReceiver`: a bound method
        // or a built-in method), one slot above the depth before the call.
        case .call: return OpLayout([.u8], .counted(base: 0, scale: -1, operand: 0), transient: 1)
        case .invoke: return OpLayout([.u16, .u16, .u8], .counted(base: 0, scale: -1, operand: 2), transient: 1)
        case .closure: return OpLayout([.u16], .fixed(1))
        case .closeUpvalue, .return: return OpLayout([], .fixed(-1))
        case .buildList, .buildString: return OpLayout([.u16], .counted(base: 1, scale: -1, operand: 0))
        case .buildMap: return OpLayout([.u16], .counted(base: 1, scale: -2, operand: 0))
        case .getIter: return OpLayout([], .fixed(0))
        case .forIter: return OpLayout([.u32], .fixed(1))
        case .forLoop: return OpLayout([.u32], .fixed(0))
        case .yield: return OpLayout([], .fixed(0))
        case .yieldFromNext, .tryBegin, .tryFinally: return OpLayout([.u32], .fixed(0))
        case .tryEnd: return OpLayout([], .fixed(0))
        case .throw, .rethrow: return OpLayout([], .fixed(-1))
        case .spawn: return OpLayout([.u8], .counted(base: 0, scale: -1, operand: 0))
        case .stringPart: return OpLayout([.u8], .fixed(0))
        case .concat: return OpLayout([.u8], .counted(base: 1, scale: -1, operand: 0))
        }
    }

    /// `makeLayout` for every opcode, indexed by raw value, built once.
    private static let layouts: [OpLayout] = allCases.map { $0.makeLayout() }

    /// This opcode's operands and stack effect.
    var layout: OpLayout { OpCode.layouts[Int(rawValue)] }

    /// Operand bytes that follow the opcode (`closure` has more: `hasCaptureTail`).
    var operandSize: Int { layout.operands.reduce(0) { $0 + $1.size } }

    /// True for `CLOSURE`, whose fixed operand (a prototype index) is followed by an
    /// (isLocal u8, index u8) pair per upvalue of that prototype.
    var hasCaptureTail: Bool { self == .closure }

    /// Where the `FOR_ITER` of the loop whose body starts at `body` is: just before it.
    @inline(__always) static func forLoopTop(body: Int) -> Int { body - 1 - forIterOperandSize }
    /// `forIter.operandSize` as a literal: the dispatch loop's `FOR_LOOP` computes `forLoopTop`
    /// on every iteration, and the layout table is an array (a test checks the two agree).
    static var forIterOperandSize: Int { 4 }

    /// The index of the jump-target operand, if the instruction jumps.
    var targetOperand: Int? { layout.operands.firstIndex(of: .u32) }

    /// The stack depth change of this opcode with these operand values.
    func stackEffect(_ operands: [Int]) -> Int {
        switch layout.effect {
        case .fixed(let n): return n
        case .counted(let base, let scale, let operand): return base + scale * operands[operand]
        }
    }

    /// Name in listings: `getLocal` → `GET_LOCAL`.
    var mnemonic: String {
        var out = ""
        for ch in String(describing: self) {
            if ch.isUppercase { out.append("_") }
            out.append(contentsOf: ch.uppercased())
        }
        return out
    }
}
