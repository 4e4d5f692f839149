// Operators, indexing and fields on every type: the slow paths behind the dispatch loop's fast ones.
import FoundationEssentials
import Glibc

extension VM {
    /// `x + y`: a short sum is joined on the stack and looked up among the interned strings
    /// before a string object is made (`Heap.stringValue`), a long one is built in its own block.
    func add(_ a: Value, _ b: Value) throws(VMError) -> Value {
        if a.tag == .float && b.tag == .float { return Value(a.asFloat + b.asFloat) }
        if a.tag == .string && b.tag == .string {
            // Both operands are the caller's (on the VM stack), so alive: read without retaining.
            // The check that can throw comes first, so that the joining below has no error
            // path and its closures go in line (two nested throwing closures stayed calls: a
            // fifth of `word += s`).
            let n = a.unretained(StrObj.self) { $0.utf8Count } &+ b.unretained(StrObj.self) { $0.utf8Count }
            try checkAllocation(bytes: n)
            return concatenation(of: a, b, count: n)
        }
        if a.tag == .list && b.tag == .list {
            let x = a.asList, y = b.asList
            try chargeNewList(x.count + y.count)
            let sum = ListObj(capacity: x.count + y.count)
            sum.append(contentsOf: x)
            sum.append(contentsOf: y)
            return heap.adopt(sum, tag: .list)
        }
        return try arithmetic(.add, a, b)
    }

    /// The strings `a` and `b`, `n` bytes together, joined (the caller checked the memory limit).
    private func concatenation(of a: Value, _ b: Value, count n: Int) -> Value {
        joined(count: n) { base, at in
            a.unretained(StrObj.self) { $0.withBytes { String.copy($0, to: base, at: &at, capacity: n) } }
            b.unretained(StrObj.self) { $0.withBytes { String.copy($0, to: base, at: &at, capacity: n) } }
        }
    }

    /// The string of `count` bytes that `write` copies to `base + at` (moving `at`), all of
    /// them: joined on the stack and, when short, looked up among the interned strings while
    /// that finds them (`Heap.producedStringValue`), else written into the new string's own
    /// block. `String.copy` refuses to overrun `count`, and the string's initializer checks that
    /// exactly `count` bytes were written.
    @inline(__always)
    func joined(count: Int, _ write: (UnsafeMutablePointer<UInt8>, inout Int) -> Void) -> Value {
        if count > InternedStrings.maxBytes {
            return heap.adopt(
                StrObj(count: count) { base in
                    var at = 0
                    write(base, &at)
                    return at
                }, tag: .string)
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: InternedStrings.maxBytes) { buffer in
            let base = buffer.baseAddress.unsafelyUnwrapped
            var at = 0
            write(base, &at)
            assert(at == count, "a short string's byte count")
            return heap.producedStringValue(bytes: UnsafeBufferPointer(start: base, count: at), by: .joining)
        }
    }

    /// The bytes of `parts` joined, for a `+` chain that began with a string literal
    /// (`STRING_PART`, `CONCAT`): the error `+` gives for a part that is not a string (every
    /// part after the first is the right operand of a `+` whose left is a string), and the
    /// memory limit's error when the joined string would pass it, as `+` checks its result.
    func concatByteCount(_ parts: UnsafeBufferPointer<Value>) throws(VMError) -> Int {
        var bytes = 0
        for v in parts {
            if v.tag != .string {
                _ = try arithmetic(.add, parts[0], v)  // throws "cannot add string and …"
                throw fail("cannot add \(parts[0].typeName) and \(v.typeName)")
            }
            // The parts are on the stack, so alive: read without retaining the object.
            let (sum, overflow) = bytes.addingReportingOverflow(v.unretained(StrObj.self) { $0.utf8Count })
            bytes = overflow ? Int.max : sum
        }
        try checkAllocation(bytes: bytes)
        return bytes
    }

    /// `CONCAT`: the strings `parts` joined into one string value.
    func concatenation(_ parts: UnsafeBufferPointer<Value>) throws(VMError) -> Value {
        let bytes = try concatByteCount(parts)
        return joined(count: bytes) { base, at in
            for v in parts {  // on the stack, so alive: read without retaining
                v.unretained(StrObj.self) { $0.withBytes { String.copy($0, to: base, at: &at, capacity: bytes) } }
            }
        }
    }

    /// Refuses to build one value of `bytes` that would pass `memoryLimit`, before allocating it,
    /// instead of letting the allocation abort the process.
    func checkAllocation(bytes: Int) throws(VMError) {
        let limit = memoryLimit
        heap.noteBigAllocation(bytes: bytes, limit: limit)
        if bytes > limit || bytes > limit - heap.liveBytes + limit / 2 {
            throw fail(memoryLimitMessage)
        }
    }

    /// A list of `count` elements is about to be copied or built: checked against the memory
    /// limit and counted as `count` steps first (slices, `+`, `keys`, `values`).
    func chargeNewList(_ count: Int) throws(VMError) {
        try checkAllocation(bytes: count * MemoryLayout<Value>.stride)
        try chargeWork(count)
    }

    /// `parts` joined by `separator`, refused before anything is built when the result would pass
    /// `memoryLimit` (string interpolation and `list.join`).
    func concatenate(_ parts: [String], separator: String = "") throws(VMError) -> String {
        let separators = separator.utf8.count.multipliedReportingOverflow(by: max(parts.count - 1, 0))
        let bytes = separators.overflow ? Int.max : parts.reduce(separators.partialValue) { $0 &+ $1.utf8.count }
        try checkAllocation(bytes: bytes)
        try chargeText(bytes)  // copied in one go below: charged before
        return String.joining(parts, separator: separator, byteCount: bytes)
    }

    /// Numeric arithmetic for `op` (one of add, subtract, multiply, divide, floorDivide, modulo).
    func arithmetic(_ op: OpCode, _ a: Value, _ b: Value) throws(VMError) -> Value {
        // Two floats first, for `//`, `%` and the other callers: the dispatch loop does `+ - * /`
        // of two floats itself (a nonzero divisor), before it would call this.
        if a.tag == .float && b.tag == .float { return try floatArithmetic(op, a.asFloat, b.asFloat) }
        if a.tag == .int && b.tag == .int {
            let x = a.asInt, y = b.asInt
            switch op {
            case .add:
                let (s, o) = x.addingReportingOverflow(y); if o { throw fail("integer overflow") }; return Value(s)
            case .subtract:
                let (s, o) = x.subtractingReportingOverflow(y); if o { throw fail("integer overflow") }; return Value(s)
            case .multiply:
                let (s, o) = x.multipliedReportingOverflow(by: y); if o { throw fail("integer overflow") }; return Value(s)
            case .divide:
                if y == 0 { throw fail("division by zero") }
                return Value(Double(x) / Double(y))
            case .floorDivide:
                if y == 0 { throw fail("division by zero") }
                if x == .min && y == -1 { throw fail("integer overflow") }
                let q = x / y
                return Value((x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q)
            case .modulo:
                if y == 0 { throw fail("division by zero") }
                if y == -1 { return Value(Int64(0)) }
                let m = x % y
                return Value((m != 0 && ((m < 0) != (y < 0))) ? m + y : m)
            default: break
            }
        }
        guard let x = numeric(a), let y = numeric(b) else {
            throw fail("cannot \(verb(op)) \(a.typeName) and \(b.typeName)")
        }
        return try floatArithmetic(op, x, y)
    }

    /// `arithmetic` on two numbers as floats (an int operand already converted).
    @inline(__always) private func floatArithmetic(_ op: OpCode, _ x: Double, _ y: Double) throws(VMError) -> Value {
        switch op {
        case .add: return Value(x + y)
        case .subtract: return Value(x - y)
        case .multiply: return Value(x * y)
        case .divide:
            if y == 0 { throw fail("division by zero") }
            return Value(x / y)
        case .floorDivide:
            if y == 0 { throw fail("division by zero") }
            return Value((x / y).rounded(.down))
        case .modulo:
            if y == 0 { throw fail("division by zero") }
            let m = fmod(x, y)
            return Value((m != 0 && ((m < 0) != (y < 0))) ? m + y : m)
        default: return .nil
        }
    }

    /// `**` and the bitwise operators (docs/reference.md, "Operators"). `int ** int` with a non-negative
    /// exponent is an exact int (overflow is an error); any other power is a float. The bitwise
    /// operators take ints only; shifts are arithmetic, a negative count an error, and a left
    /// shift that loses bits `integer overflow` (ints are 64-bit, not Python's unbounded ones).
    func powerOrBitwise(_ op: OpCode, _ a: Value, _ b: Value) throws(VMError) -> Value {
        if op == .power {
            if a.tag == .int && b.tag == .int && b.asInt >= 0 {
                guard let p = VM.integerPower(a.asInt, b.asInt) else { throw fail("integer overflow") }
                return Value(p)
            }
            guard let x = numeric(a), let y = numeric(b) else {
                throw fail("cannot apply '**' to \(a.typeName) and \(b.typeName)")
            }
            if x == 0 && y < 0 { throw fail("division by zero") }
            if x < 0 && y != y.rounded() { throw fail("math domain error") }  // a complex result
            return Value(pow(x, y))
        }
        guard a.tag == .int && b.tag == .int else {
            throw fail("cannot apply '\(VM.symbol(op))' to \(a.typeName) and \(b.typeName)")
        }
        let x = a.asInt, y = b.asInt
        switch op {
        case .bitAnd: return Value(x & y)
        case .bitOr: return Value(x | y)
        case .bitXor: return Value(x ^ y)
        case .shiftLeft:
            if y < 0 { throw fail("negative shift count") }
            if x == 0 { return Value(Int64(0)) }
            let shifted = y >= 64 ? 0 : x << y
            if y >= 64 || shifted >> y != x { throw fail("integer overflow") }
            return Value(shifted)
        case .shiftRight:
            if y < 0 { throw fail("negative shift count") }
            return Value(y >= 64 ? (x < 0 ? -1 : 0) : x >> y)
        default: return .nil
        }
    }

    /// `base ** exponent` by repeated squaring, or nil when it passes 64 bits.
    static func integerPower(_ base: Int64, _ exponent: Int64) -> Int64? {
        var result: Int64 = 1, b = base, e = exponent
        while e > 0 {
            if e & 1 == 1 {
                let (r, o) = result.multipliedReportingOverflow(by: b)
                if o { return nil }
                result = r
            }
            e >>= 1
            if e > 0 {
                let (s, o) = b.multipliedReportingOverflow(by: b)
                if o { return nil }
                b = s
            }
        }
        return result
    }

    private static func symbol(_ op: OpCode) -> String {
        switch op {
        case .bitAnd: return "&"
        case .bitOr: return "|"
        case .bitXor: return "^"
        case .shiftLeft: return "<<"
        case .shiftRight: return ">>"
        default: return "**"
        }
    }

    private func verb(_ op: OpCode) -> String {
        switch op {
        case .add: return "add"
        case .subtract: return "subtract"
        case .multiply: return "multiply"
        case .divide: return "divide"
        case .floorDivide: return "floor-divide"
        case .modulo: return "modulo"
        default: return "combine"
        }
    }

    @inline(__always) func numeric(_ v: Value) -> Double? {
        if v.tag == .int { return Double(v.asInt) }
        if v.tag == .float { return v.asFloat }
        return nil
    }

    // Ordering tests; NaN makes every one of them false (compare gives 2: unordered).
    func isLess(_ a: Value, _ b: Value) throws(VMError) -> Bool { try compare(a, b) == -1 }
    func isLessEqual(_ a: Value, _ b: Value) throws(VMError) -> Bool { let c = try compare(a, b); return c == -1 || c == 0 }
    func isGreater(_ a: Value, _ b: Value) throws(VMError) -> Bool { try compare(a, b) == 1 }
    func isGreaterEqual(_ a: Value, _ b: Value) throws(VMError) -> Bool { let c = try compare(a, b); return c == 1 || c == 0 }

    /// Orders two numbers or two strings: -1, 0 or 1, or 2 when unordered (NaN).
    func compare(_ a: Value, _ b: Value) throws(VMError) -> Int {
        if a.tag == .int && b.tag == .int { return a.asInt < b.asInt ? -1 : (a.asInt == b.asInt ? 0 : 1) }
        if let x = numeric(a), let y = numeric(b) {
            if x.isNaN || y.isNaN { return 2 }  // every ordering test is false
            return x < y ? -1 : (x == y ? 0 : 1)
        }
        if a.tag == .string && b.tag == .string {
            // By code point, never normalised; unretained: the caller holds both.
            return a.unretained(StrObj.self) { x in b.unretained(StrObj.self) { y in x.compare(y) } }
        }
        throw fail("cannot compare \(a.typeName) and \(b.typeName)")
    }

    // MARK: - Indexing

    /// Resolves a possibly negative index against `count`.
    func normalizeIndex(_ idx: Value, count: Int, what: String) throws(VMError) -> Int {
        guard idx.tag == .int else { throw fail("\(what) index must be an int, not \(idx.typeName)") }
        let i = idx.asInt, n = Int64(count)
        let j = i < 0 ? i &+ n : i
        if j < 0 || j >= n {
            throw fail("\(what == "string" ? "string " : "")index \(i) out of range for \(what) of length \(n)")
        }
        return Int(j)
    }

    /// Item `i` of the list `list` (negative from the end), read unretained: the dispatch
    /// loop's fast path for `GET_INDEX` and `GET_LOCAL_INDEX_SMALL`.
    @inline(__always) func listItem(_ list: Value, _ i: Int64) throws(VMError) -> Value {
        let item: Value? = list.unretained(ListObj.self) { l in
            let n = Int64(l.count)
            let j = i < 0 ? i &+ n : i
            return j < 0 || j >= n ? nil : l[Int(j)]
        }
        guard let item else { throw fail("index \(i) out of range for list of length \(list.asList.count)") }
        return item
    }

    func getIndex(_ obj: Value, _ idx: Value) throws(VMError) -> Value {
        switch obj.tag {
        case .list:
            return try obj.unretained(ListObj.self) { list throws(VMError) in
                list[try normalizeIndex(idx, count: list.count, what: "list")]
            }
        case .map:
            let hash = try mapHash(idx)
            return obj.unretained(MapObj.self) { $0.value(for: idx, hash: hash) } ?? .nil
        case .string:
            let s = obj.asString
            let i = try normalizeIndex(idx, count: try scalarCount(s), what: "string")
            return scalarString(s, at: try byteOffset(s, i)).0
        case .range:
            let rg = obj.obj(RangeObj.self)
            guard let n = rg.count else { throw fail("range is too large to index") }
            let i = try normalizeIndex(idx, count: Int(n), what: "range")
            return Value(rg.start &+ Int64(i) &* rg.step)
        default:
            throw fail("cannot index \(obj.typeName)")
        }
    }

    func setIndex(_ obj: Value, _ idx: Value, _ v: Value) throws(VMError) {
        switch obj.tag {
        case .list:
            try obj.unretained(ListObj.self) { list throws(VMError) in
                list[try normalizeIndex(idx, count: list.count, what: "list")] = v
            }
        case .map:
            let hash = try mapHash(idx)
            obj.unretained(MapObj.self) { mapSet($0, key: idx, hash: hash, v) }
        default:
            throw fail("cannot assign into an index of \(obj.typeName)")
        }
    }

    /// `m[key] = v`, `hash` being the key's (`mapHash`).
    @inline(__always) func mapSet(_ m: MapObj, key: Value, hash: UInt64, _ v: Value) {
        if m.set(key, hash: hash, v) { heap.grownBytes &+= Heap.grownBytesPerMapEntry }
    }

    func buildMap(_ kv: UnsafeBufferPointer<Value>) throws(VMError) -> Value {
        // Filled before the heap takes it: nothing collects in between (collections wait for
        // a safe point), and a key that cannot be hashed just drops it.
        let m = MapObj(capacity: kv.count / 2)
        var i = 0
        while i + 1 < kv.count {
            mapSet(m, key: kv[i], hash: try mapHash(kv[i]), kv[i + 1])
            i += 2
        }
        return heap.adopt(m, tag: .map)
    }

    // MARK: - Fields

    /// `m.name` for a map `m`, `name` being a constant string of the running function and
    /// `hint` its field hint (`FunctionProto.fieldHints`): the dispatch loop's path. The hinted
    /// entry is read in line (bench/nbody: a call per field read was an eighth of its time);
    /// the rest is out of line, so the loop stays small.
    @inline(__always) func mapField(_ m: Value, _ name: Value, hint: UnsafeMutablePointer<Int32>) -> Value {
        assert(m.tag == .map && name.tag == .string, "mapField on a \(m.typeName)")
        // Unretained: the map and the constant are on the stack or in the running function's
        // constants, so alive (see Value); the entry is in the map's buffer, which only a change
        // of the map moves.
        if let e = m.unretained(MapObj.self, { $0.hinted(name, hint) }) { return e.pointee.value }
        return mapFieldByHash(m, name, hint: hint)
    }

    /// `mapField` when the hint misses.
    @inline(never) func mapFieldByHash(_ m: Value, _ name: Value, hint: UnsafeMutablePointer<Int32>) -> Value {
        m.unretained(MapObj.self) { $0.field(name, hint: hint) } ?? .nil
    }

    /// `m.name = v` for a map `m`; `name` is the constant string `name` (the key's value when
    /// the key is new: constants are immutable strings, marked through their prototype and then
    /// through the map, so sharing one is sound), `hint` its field hint. In line when the hint
    /// hits, as `mapField`.
    @inline(__always) func setMapField(_ m: Value, _ name: Value, hint: UnsafeMutablePointer<Int32>, _ v: Value) {
        assert(m.tag == .map && name.tag == .string, "setMapField on a \(m.typeName)")
        if let e = m.unretained(MapObj.self, { $0.hinted(name, hint) }) {
            e.pointee.value = v
            return
        }
        setMapFieldByHash(m, name, hint: hint, v)
    }

    /// `setMapField` when the hint misses.
    @inline(never) func setMapFieldByHash(_ m: Value, _ name: Value, hint: UnsafeMutablePointer<Int32>, _ v: Value) {
        let grew = m.unretained(MapObj.self) { $0.setField(name, hint: hint, v) }
        if grew { heap.grownBytes &+= Heap.grownBytesPerMapEntry }
    }

    /// `obj.name`, `name` being a string constant of the running function. (The dispatch loop
    /// reads a map's fields through `mapField`, with the field hint.)
    func getField(_ obj: Value, _ nameConstant: Value) throws(VMError) -> Value {
        if obj.tag == .map {
            // `m.name` is exactly `m["name"]`: a missing key is nil, even for a method's name.
            return obj.asMap.value(for: nameConstant, hash: nameConstant.asString.hashCode) ?? .nil
        }
        let name = nameConstant.asString.value
        switch obj.tag {
        case .coroutine:
            let co = obj.asCoroutine
            switch name {
            case "status": return newString(co.status.name)
            case "done": return Value(co.isFinished)
            case "result": return co.result
            default: break
            }
        case .task:
            let t = obj.asTask
            switch name {
            case "id": return Value(Int64(t.id))
            case "name": return newString(t.name)
            case "status": return newString(t.status.name)
            case "result": return t.result
            default: break
            }
        case .channel:
            let c = obj.asChannel
            switch name {
            case "capacity": return Value(Int64(c.capacity))
            case "closed": return Value(c.closed)
            default: break
            }
        case .listener, .connection:
            let s = obj.asSocket
            switch name {
            case "closed": return Value(s.isClosed)
            case "port" where s.kind == .listener: return Value(Int64(s.port))
            case "address" where s.kind == .listener: return newString(s.address)
            case "peer" where s.kind == .connection: return newString(s.address)
            default: break
            }
        case .error:
            let e = obj.asError
            switch name {
            case "message": return newString(e.message)
            case "trace":
                return newList(ContiguousArray(e.trace.map { newString($0.text) }))
            default: break
            }
        default: break
        }
        if let m = methods.lookup(obj.tag, name: name) { return bindMethod(obj, m, name) }
        throw noField(obj, name)
    }

    func bindMethod(_ recv: Value, _ method: Value, _ name: String) -> Value {
        heap.adopt(BoundMethodObj(receiver: recv, method: method, name: name), tag: .boundMethod)
    }

    /// `obj.name = v`, `name` being a string constant of the running function. (The dispatch
    /// loop sets a map's fields through `setMapField`, with the field hint.)
    func setField(_ obj: Value, _ nameConstant: Value, _ v: Value) throws(VMError) {
        if obj.tag == .map {
            // A new key is the constant itself, as in `setMapField`.
            mapSet(obj.asMap, key: nameConstant, hash: nameConstant.asString.hashCode, v)
            return
        }
        let name = nameConstant.asString.value
        if obj.tag == .task && name == "name" {
            obj.asTask.name = try str(v)
            return
        }
        throw fail("cannot set field '\(name)' on \(obj.typeName)")
    }

    // MARK: - Iteration

    func makeIterator(_ v: Value) throws(VMError) -> Value {
        let kind: IteratorObj.Kind
        switch v.tag {
        case .list: kind = .list
        case .map: kind = .map
        case .string: kind = .string
        case .range: kind = .range
        case .channel: kind = .channel
        case .listener: kind = .accept
        case .connection: kind = .lines
        case .coroutine, .iterator: return v
        default: throw fail("cannot iterate over \(v.typeName)")
        }
        let it = IteratorObj(kind: kind, source: v)
        if kind == .range {
            let rg = v.obj(RangeObj.self)
            it.current = rg.start; it.stop = rg.stop; it.step = rg.step
        }
        return heap.adopt(it, tag: .iterator)
    }

    /// A range loop's fast path (`VM.callOther`), for `loop` the first of the loop's two hidden
    /// `nil`s, which the built-in `range` (`callOther` has checked) and its `argc` arguments
    /// follow: when the arguments are ints with a nonzero step, replaces `nil nil range a1..an`
    /// by `step stop start` (read by `stepRange`) and returns true. Otherwise changes nothing:
    /// the `CALL` then calls `range`, giving its result, or its error.
    ///
    /// (Indexed from the first slot on purpose: written as negative offsets from the callee's
    /// slot, followed by the store at it, the two stores below it were dropped by Swift 6.3.1's
    /// dead-store elimination in release builds: docs/DECISIONS.md, "A miscompile".)
    @inline(never) func startRangeFor(_ loop: UnsafeMutablePointer<Value>, argc: Int) -> Bool {
        assert((1...3).contains(argc), "a range loop with \(argc) arguments")
        assert(loop[2].tag == .native && loop[2].bits == rangeNative.bits, "a range loop's callee is not range")
        var i = 3
        while i < 3 + argc {
            if loop[i].tag != .int { return false }
            i += 1
        }
        var start: Int64 = 0, stop = loop[3].asInt, step: Int64 = 1
        if argc >= 2 { start = loop[3].asInt; stop = loop[4].asInt }
        if argc == 3 { step = loop[5].asInt }
        if step == 0 { return false }
        loop[0] = Value(step)
        loop[1] = Value(stop)
        loop[2] = Value(start)
        return true
    }

    /// One step of a range loop whose `step stop current` start at `loop` (`RangeObj.step`).
    /// (Indexed upwards, as `startRangeFor`.)
    @inline(__always) func stepRange(_ loop: UnsafeMutablePointer<Value>) -> Value? {
        var current = loop[2].asInt
        let next = RangeObj.step(&current, stop: loop[1].asInt, step: loop[0].asInt)
        loop[2] = Value(current)
        return next
    }

    /// Steps a non-coroutine iterator: pushes the next value, or pushes nil and jumps to `exit`.
    func iterate(_ io: IteratorObj, exit: Int, _ r: inout Registers) throws(VMError) -> ExecStop? {
        var next: Value?
        switch io.kind {
        case .range:
            next = RangeObj.step(&io.current, stop: io.stop, step: io.step)
        case .list:
            io.source.unretained(ListObj.self) { list in
                if io.index < list.count { next = list[io.index]; io.index += 1 }
            }
        case .map:
            let m = io.source.asMap
            if io.index < m.count { next = m.entry(io.index).key; io.index += 1 }
        case .string:
            // `current` is the byte offset of the next code point.
            let s = io.source.asString
            if Int(io.current) < s.utf8Count {
                let (piece, len) = scalarString(s, at: Int(io.current))
                next = piece
                io.current += Int64(len)
            }
        case .channel:
            return try receiveForIteration(io.source.asChannel, exit: exit, &r)
        case .accept:
            return try socketIteration(io.source.asSocket, .accept, exit: exit, &r)
        case .lines:
            return try socketIteration(io.source.asSocket, .readLine, exit: exit, &r)
        }
        if let next {
            r.push(next)
        } else {
            r.push(.nil)
            r.ip = r.code + exit
        }
        return nil
    }
}
