// The compiler's limits, each set by the operand that must hold the number.

/// How much one function (or one literal) may hold; going past a limit is a compile error.
enum CompilerLimits {
    /// Local slots of one function, the callee's slot 0 included: a slot is a u8 operand, so a
    /// program may declare 255 locals of its own.
    static let localSlots = 256
    /// Variables one function may capture: an upvalue index is a u8 operand.
    static let upvalues = 255
    /// Arguments of one call and parameters of one function: `CALL`'s count is a u8 operand.
    static let arguments = 255
    /// Constants of one function: a constant index is a u16 operand.
    static let constants = 65_535
    /// Functions nested directly in one function: `CLOSURE`'s prototype index is a u16 operand.
    static let functions = 65_535
    /// The highest global slot: a global is a u16 operand.
    static let lastGlobalSlot = 65_535
    /// Elements of a list literal and parts of an interpolated string: `BUILD_LIST`'s and
    /// `BUILD_STRING`'s count is a u16 operand.
    static let listElements = 65_535
    /// Entries of a map literal: half of `listElements`, as `BUILD_MAP n` takes 2n values.
    static let mapEntries = 32_767
    /// Integers an instruction carries in its u16 operand (`SMALL_INT`, `ADD_SMALL`, …, as Int16
    /// bits) instead of a constant.
    static let smallInts: ClosedRange<Int64> = Int64(Int16.min)...Int64(Int16.max)
    /// Steps `k` of `x += k` and `x -= k` that `ADD_LOCAL_SMALL` carries: `k` and `-k` both small.
    static let smallSteps: ClosedRange<Int64> = -Int64(Int16.max)...Int64(Int16.max)
}
