// Every instruction of the VM, defined once with its operands and stack effect.

/// Operands follow the opcode byte: `u8` one byte, `u16` two bytes little-endian, `t32` a
/// four-byte absolute code offset. Stack effects read `before -> after`.
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
    /// a:u8 b:u8 · `-> locals[a] locals[b]`
    case getLocal2
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
    /// s:u8 · `v -> v`, stores into locals[s]
    case setLocal
    /// u:u8 · `-> upvalue[u]`
    case getUpvalue
    /// u:u8 · `v -> v`
    case setUpvalue
    /// g:u16 · `-> globals[g]` (error if undefined)
    case getGlobal
    /// g:u16 · `v -> v` (error if undefined)
    case setGlobal
    /// g:u16 · `v ->`, declares or redeclares the global
    case defineGlobal
    /// `obj index -> obj[index]`
    case getIndex
    /// `obj index v -> v`
    case setIndex
    /// name:u16 · `obj -> obj.name`
    case getField
    /// name:u16 · `obj v -> v`
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
    /// `a -> -a`
    case negate
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
    /// `v ->` throws v
    case `throw`
    /// n:u8 · `f a1..an -> task`
    case spawn
}

extension OpCode {
    /// Operand bytes that follow the opcode (`closure` has more, read from its descriptor).
    var operandSize: Int {
        switch self {
        case .constant, .smallInt, .addSmall, .subtractSmall, .moduloSmall, .getGlobal, .setGlobal, .defineGlobal, .getField, .setField,
             .buildList, .buildMap, .buildString, .closure:
            return 2
        case .getLocal, .setLocal, .getUpvalue, .setUpvalue, .call, .spawn, .storeLocal, .storeUpvalue, .addToLocal, .returnLocal:
            return 1
        case .storeGlobal:
            return 2
        case .addLocalSmall, .localAddSmall, .localSubtractSmall:
            return 3
        case .getLocal2:
            return 2
        case .jumpUnlessLessLocals, .loopIfLessLocals:
            return 6
        case .jumpUnlessLessLocalSmall, .loopIfLessLocalSmall:
            return 7
        case .jumpUnlessLess, .jumpUnlessLessEqual, .jumpUnlessGreater, .jumpUnlessGreaterEqual,
             .jumpUnlessEqual, .jumpUnlessNotEqual:
            return 4
        case .invoke:
            return 5
        case .jump, .jumpIfFalse, .jumpIfTrue, .popJumpIfFalse, .loop, .loopIfTrue, .forIter, .yieldFromNext, .tryBegin:
            return 4
        case .nil, .true, .false, .pop, .popUnder, .dup, .dup2, .getIndex, .setIndex,
             .add, .subtract, .multiply, .divide, .floorDivide, .modulo, .negate, .not,
             .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual,
             .closeUpvalue, .return, .getIter, .yield, .tryEnd, .throw:
            return 0
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
