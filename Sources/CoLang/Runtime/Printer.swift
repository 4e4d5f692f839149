// `str` and REPL echo forms of every value (docs/DECISIONS.md, "Printing"), with cycle and depth guards.

extension VM {
    /// How deep lists and maps inside each other are printed (deeper ones show as `[...]` and
    /// `{...}`) and compared (deeper is the error `comparison nested too deeply`).
    static let maxValueNesting = 200

    /// `str(v)`: strings as they are, everything else in its printed form. A form bigger than
    /// `memoryLimit` (a list that holds itself 2^40 ways over) is an out-of-memory error, found
    /// before more than the limit has been built.
    func str(_ v: Value) throws(VMError) -> String {
        if v.tag == .string { return v.asString.value }
        if v.tag == .int { return VM.intText(v.asInt) }
        if v.tag == .error { return v.asError.message }
        var out = ""
        try describe(v, into: &out, depth: 0, quoteStrings: false, limit: memoryLimit, metered: true)
        if out.utf8.count > memoryLimit { throw fail(memoryLimitMessage) }
        return out
    }

    /// The REPL echo and in-container form: strings quoted. With `maxLength`, the text is cut
    /// (ending in "...") once it grows past it, without building the rest.
    func repr(_ v: Value, maxLength: Int = .max) -> String {
        var out = ""
        try? describe(v, into: &out, depth: 0, quoteStrings: true, limit: maxLength, metered: false)
        // Cut by code points, as `len` counts.
        if out.unicodeScalars.count > maxLength {
            out = String(String.UnicodeScalarView(out.unicodeScalars.prefix(maxLength))) + "..."
        }
        return out
    }

    /// The decimal digits of `i` as a string of exactly their length (so up to 15 digits make a
    /// small string, held inline).
    static func intText(_ i: Int64) -> String { withDigits(i) { String.fromUTF8($0) } }

    /// `str(i)` as a value: found among the interned strings by its digits when it exists. An
    /// int of up to three digits always is (a program formats the same small numbers again); a
    /// larger one while that finds them (`Heap.producedStringValue`: `str(i)` of a counter makes
    /// a new string every time).
    func intString(_ i: Int64) -> Value {
        // Unmanaged: a closure that captured the VM retained and released it around each call
        // (`str(i)`: 40 instructions of ~300). The VM holds its heap meanwhile.
        let h = Unmanaged.passUnretained(heap)
        if i.magnitude < 1000 {
            return VM.withDigits(i) { digits in h._withUnsafeGuaranteedRef { $0.stringValue(bytes: digits) } }
        }
        return VM.withDigits(i) { digits in h._withUnsafeGuaranteedRef { $0.producedStringValue(bytes: digits, by: .formatting) } }
    }

    /// `body` with the decimal digits of `i`, written backwards into a stack buffer:
    /// `Int64.description` goes through generic code, a third of `str(i)` in bench/strings.
    /// Sound: at most 20 bytes (`-9223372036854775808`) are written into 20.
    static func withDigits<R>(_ i: Int64, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var m = i.magnitude
            var at = 20
            repeat {
                at &-= 1
                buffer[at] = UInt8(truncatingIfNeeded: 48 &+ m % 10)
                m /= 10
            } while m > 0
            if i < 0 {
                at &-= 1
                buffer[at] = 45  // "-"
            }
            return body(UnsafeBufferPointer(rebasing: buffer[at..<20]))
        }
    }

    static func formatFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return d.description
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// Appends the printed form of `v` to `out`, stopping once `out` passes `limit` bytes;
    /// `metered` walks count toward the step limit and stop on Ctrl-C (see `chargeWork`).
    private func describe(
        _ v: Value, into out: inout String, depth: Int, quoteStrings: Bool,
        limit: Int, metered: Bool
    ) throws(VMError) {
        if out.utf8.count > limit { return }
        if metered { try chargeWork() }
        switch v.tag {
        case .undefined, .nil: out += "nil"
        case .bool: out += v.asBool ? "true" : "false"
        case .int: out += String(v.asInt)
        case .float: out += VM.formatFloat(v.asFloat)
        case .string:
            let s = v.asString
            if metered { try chargeText(s.utf8Count) }  // copied (and quoted) below
            if limit < .max && s.utf8Count > limit {
                // Only the part that can be shown is made and formatted (a trace or the REPL's
                // echo of a 100 MB string): its first `limit` code points, cut from the bytes.
                let head = s.withBytes { b in String.fromUTF8(UnsafeBufferPointer(rebasing: b[..<StrObj.offset(ofCodePoint: limit, in: b)]))
                }
                out += quoteStrings ? VM.quote(head) : head
            } else {
                let text = s.value
                out += quoteStrings ? VM.quote(text) : text
            }
        case .list:
            let list = v.asList
            if list.beingPrinted || depth > VM.maxValueNesting { out += "[...]"; return }
            list.beingPrinted = true
            defer { list.beingPrinted = false }
            out += "["
            // By index: printing runs no CoLang code, so nothing changes the list meanwhile.
            for i in 0..<list.count {
                let item = list[i]
                if i > 0 { out += ", " }
                if out.utf8.count > limit { break }
                try describe(item, into: &out, depth: depth + 1, quoteStrings: true, limit: limit, metered: metered)
            }
            out += "]"
        case .map:
            let map = v.asMap
            if map.beingPrinted || depth > VM.maxValueNesting { out += "{...}"; return }
            map.beingPrinted = true
            defer { map.beingPrinted = false }
            out += "{"
            var first = true
            for e in map.entryList {
                if !first { out += ", " }
                first = false
                if out.utf8.count > limit { break }
                try describe(e.key, into: &out, depth: depth + 1, quoteStrings: true, limit: limit, metered: metered)
                out += ": "
                try describe(e.value, into: &out, depth: depth + 1, quoteStrings: true, limit: limit, metered: metered)
            }
            out += "}"
        case .range:
            let r = v.obj(RangeObj.self)
            out += r.step == 1 ? "range(\(r.start), \(r.stop))" : "range(\(r.start), \(r.stop), \(r.step))"
        case .closure:
            let name = v.asClosure.proto.name
            out += name.isEmpty ? "<fn>" : "<fn \(name)>"
        case .native: out += "<fn \(v.obj(NativeObj.self).name)>"
        case .boundMethod: out += "<fn \(v.obj(BoundMethodObj.self).name)>"
        case .coroutine:
            let co = v.asCoroutine
            out += "<coroutine \(co.name) \(co.status.name)>"
        case .task:
            let t = v.asTask
            out += "<task \(t.name) \(t.status.name)>"
        case .channel:
            let c = v.asChannel
            out += "<channel \(c.buffer.count)/\(c.capacity)>"
        case .error: out += "<error \(v.asError.message)>"
        case .iterator: out += "<iterator>"
        case .listener, .connection:
            let sock = v.asSocket
            out += "<\(v.typeName) \(sock.address)\(sock.isClosed ? " closed" : "")>"
        }
    }

    /// `==`: numbers by value, strings by content, lists and maps structurally, the rest by identity.
    func valuesEqual(_ a: Value, _ b: Value, depth: Int = 0) throws(VMError) -> Bool {
        try chargeWork()
        switch (a.tag, b.tag) {
        case (.int, .int): return a.bits == b.bits
        case (.float, .float): return a.asFloat == b.asFloat
        case (.int, .float): return Double(a.asInt) == b.asFloat && Int64(exactly: b.asFloat) == a.asInt
        case (.float, .int): return Double(b.asInt) == a.asFloat && Int64(exactly: a.asFloat) == b.asInt
        case (.string, .string):
            // Unretained: both are operands on a stack or items of a live container.
            return a.bits == b.bits || a.unretained(StrObj.self) { x in b.unretained(StrObj.self) { y in StrObj.sameText(x, y) } }
        case (.list, .list):
            if a.bits == b.bits { return true }
            if depth > VM.maxValueNesting { throw fail("comparison nested too deeply") }
            let x = a.asList, y = b.asList
            if x.count != y.count { return false }
            for i in 0..<x.count where try !valuesEqual(x[i], y[i], depth: depth + 1) { return false }
            return true
        case (.map, .map):
            if a.bits == b.bits { return true }
            if depth > VM.maxValueNesting { throw fail("comparison nested too deeply") }
            let x = a.asMap, y = b.asMap
            if x.count != y.count { return false }
            // By entry number, not through `entryList`: comparing values runs no CoLang code,
            // but stays correct even if it one day could change a map.
            var i = 0
            while i < x.count {
                let e = x.entry(i)
                guard let other = y.value(for: e.key, hash: e.hash) else { return false }
                if try !valuesEqual(e.value, other, depth: depth + 1) { return false }
                i += 1
            }
            return true
        default:
            return a.tag == b.tag && a.bits == b.bits
        }
    }
}
