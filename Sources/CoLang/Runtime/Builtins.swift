// The builtin functions (docs/reference.md, "Builtins"), in Swift; those that call back into CoLang are in the prelude.
import FoundationEssentials
import Glibc

extension VM {
    /// Defines a global native function.
    @discardableResult
    func native(_ name: String, _ minArgs: Int, _ maxArgs: Int, _ fn: @escaping NativeFn) -> NativeObj {
        let n = heap.track(NativeObj(name: name, minArgs: minArgs, maxArgs: maxArgs, fn: fn))
        defineGlobal(name, Value(object: n, tag: .native))
        return n
    }

    /// Defines a global native that may move control (see `NativeResult`).
    func controlNative(_ name: String, _ minArgs: Int, _ maxArgs: Int, _ fn: @escaping ControlFn) {
        let n = heap.track(NativeObj(name: name, minArgs: minArgs, maxArgs: maxArgs, control: fn))
        defineGlobal(name, Value(object: n, tag: .native))
    }

    /// `v` as an int, or the error that `what` must be one. Inlined, the check is two
    /// instructions; called, it was 20 (`s.slice(a, b)` makes two).
    @inline(__always) func intArg(_ v: Value, _ what: @autoclosure () -> String) throws(VMError) -> Int64 {
        guard v.tag == .int else { throw notAnInt(v, what()) }
        return v.asInt
    }
    @inline(never) private func notAnInt(_ v: Value, _ what: String) -> VMError {
        fail("\(what) must be an int, not \(v.typeName)")
    }

    func numberArg(_ v: Value, _ what: String) throws(VMError) -> Double {
        guard let d = numeric(v) else { throw fail("\(what) must be a number, not \(v.typeName)") }
        return d
    }

    func installBuiltins() {
        installFileBuiltins()
        installNetworkBuiltins()
        installHelp()
        native("print", 0, -1) { vm, a throws(VMError) in
            var line = ""
            for (i, v) in a.enumerated() {
                if i > 0 { line += " " }
                line += try vm.str(v)
            }
            vm.write(line + "\n")
            return .nil
        }
        native("str", 1, 1) { vm, a throws(VMError) in
            if a[0].tag == .string { return a[0] }
            if a[0].tag == .int { return vm.intString(a[0].asInt) }
            return vm.newString(try vm.str(a[0]))
        }
        native("type", 1, 1) { vm, a in vm.newString(a[0].typeName) }
        native("int", 1, 1) { vm, a throws(VMError) in try vm.toInt(a[0]) }
        native("float", 1, 1) { vm, a throws(VMError) in try vm.toFloat(a[0]) }
        native("len", 1, 1) { vm, a throws(VMError) in try vm.length(a[0]) }
        native("range", 1, 3) { vm, a throws(VMError) in
            var start: Int64 = 0, stop: Int64, step: Int64 = 1
            if a.count == 1 {
                stop = try vm.intArg(a[0], "range stop")
            } else {
                start = try vm.intArg(a[0], "range start")
                stop = try vm.intArg(a[1], "range stop")
                if a.count == 3 { step = try vm.intArg(a[2], "range step") }
            }
            if step == 0 { throw vm.fail("range step cannot be zero") }
            return vm.heap.adopt(RangeObj(start: start, stop: stop, step: step), tag: .range)
        }
        rangeNative = globalValues[globals.slot(for: "range")]
        rangeNativeObject = rangeNative.obj(NativeObj.self)
        controlNative("list", 0, 1) { vm, a throws(VMError) in
            if a.count == 0 { return .value(vm.newList([])) }
            let v = a[0]
            if v.tag == .coroutine || v.tag == .channel || v.tag == .iterator {
                // Collected by CoLang code, so that the coroutine's `yield`s can switch.
                return .tailCall(callee: vm.preludeFunction("__collect"), args: [v])
            }
            return .value(vm.heap.adopt(try vm.elements(of: v), tag: .list))
        }
        native("keys", 1, 1) { vm, a throws(VMError) in
            guard a[0].tag == .map else { throw vm.fail("keys expects a map, not \(a[0].typeName)") }
            return vm.heap.adopt(try vm.mapColumn(a[0].asMap) { $0.key }, tag: .list)
        }
        native("assert", 1, 2) { vm, a throws(VMError) in
            if a[0].isFalsy {
                throw vm.fail(a.count > 1 ? "assertion failed: \(try vm.str(a[1]))" : "assertion failed")
            }
            return .nil
        }
        native("error", 1, 1) { vm, a throws(VMError) in
            vm.heap.adopt(ErrorObj(message: try vm.str(a[0])), tag: .error)
        }
        native("random", 0, 2) { vm, a throws(VMError) in
            if a.count == 0 { return Value(vm.rng.nextDouble()) }
            guard a.count == 2 else { throw vm.fail("random expects 0 or 2 arguments but got 1") }
            let lo = try vm.intArg(a[0], "random's first argument"), hi = try vm.intArg(a[1], "random's second argument")
            if lo > hi { throw vm.fail("random expects its first argument to be at most its second") }
            let span = UInt64(bitPattern: hi &- lo) &+ 1
            let r = span == 0 ? vm.rng.next() : vm.rng.next(below: span)
            return Value(lo &+ Int64(bitPattern: r))
        }
        native("now", 0, 0) { vm, _ in Value(vm.clock.now) }
        // The CPU seconds this process has used (user + system), as Python's time.process_time():
        // with `now()`, how busy a stretch of the program kept the CPU. Real on either clock.
        native("cpu_time", 0, 0) { _, _ in
            var t = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
            return Value(Double(t.tv_sec) + Double(t.tv_nsec) / 1e9)
        }
        controlNative("sleep", 1, 1) { vm, a throws(VMError) in
            guard let d = vm.numeric(a[0]) else { throw vm.fail("sleep expects a number of seconds, not \(a[0].typeName)") }
            return try vm.sleep(d)
        }
        native("coroutine", 1, -1) { vm, a throws(VMError) in
            let f = try vm.makeFiber(UnsafeBufferPointer(a), what: "coroutine")
            return Value(object: f, tag: .coroutine)
        }
        native("channel", 0, 1) { vm, a throws(VMError) in
            var cap: Int64 = 0
            if a.count == 1 { cap = try vm.intArg(a[0], "channel capacity") }
            if cap < 0 || cap > Int64(Int32.max) { throw vm.fail("channel capacity must be between 0 and \(Int32.max)") }
            return vm.makeChannel(capacity: Int(cap))
        }
        controlNative("select", 0, -1) { vm, a throws(VMError) in try vm.select(a) }
        native("after", 1, 1) { vm, a throws(VMError) in
            guard let d = vm.numeric(a[0]) else { throw vm.fail("after expects a number of seconds, not \(a[0].typeName)") }
            return try vm.after(d)
        }
        native("current_task", 0, 0) { vm, _ in Value(object: vm.currentTask, tag: .task) }
        native("tasks", 0, 0) { vm, _ in
            vm.scheduler.pruneLive()
            return vm.newList(ContiguousArray(vm.scheduler.live.map { Value(object: $0, tag: .task) }))
        }
        controlNative("input", 0, 1) { vm, a throws(VMError) in
            if a.count == 1 { vm.write(try vm.str(a[0])) }
            vm.flushOutput()
            let line = vm.input()
            if Interpreter.interruptFlag.pointee != 0 {
                // Ctrl-C while waiting for a line: stop here (the read was interrupted).
                vm.current.push(.nil)
                return .stop(.interrupted)
            }
            guard let line else { return .value(.nil) }
            return .value(vm.newString(line))
        }
        native("sqrt", 1, 1) { vm, a throws(VMError) in
            let x = try vm.numberArg(a[0], "sqrt argument")
            if x < 0 { throw vm.fail("math domain error") }
            return Value(x.squareRoot())
        }.floatFunction = { $0.squareRoot() }  // NaN for a negative: the path above then throws
        native("floor", 1, 1) { vm, a throws(VMError) in try vm.roundedToInt(a[0], .down, "floor") }
        native("ceil", 1, 1) { vm, a throws(VMError) in try vm.roundedToInt(a[0], .up, "ceil") }
        native("round", 1, 2) { vm, a throws(VMError) in
            if a.count == 1 { return try vm.roundedToInt(a[0], .toNearestOrEven, "round") }
            // round(x, digits): a float, rounded as Python does, by the exact value of x: printf's
            // `%.Nf` rounds the exact binary value half to even (round(2.675, 2) is 2.67, because
            // 2.675 is 2.67499999…), and reading the digits back gives the nearest float.
            let x = try vm.numberArg(a[0], "round argument")
            let digits = try vm.intArg(a[1], "round digits")
            if !x.isFinite || digits > 323 { return Value(x) }
            if digits >= 0 { return Value(Double(CFormat.string("%.*f", Int32(digits), x)) ?? x) }
            if digits < -308 { return Value(0.0 * x) }
            let scale = pow(10.0, Double(-digits))  // a power of ten, exact up to 10^22
            let r = (x / scale).rounded(.toNearestOrEven) * scale
            return Value(r.isFinite ? r : x)
        }
        native("min", 1, -1) { vm, a throws(VMError) in try vm.extreme(a, name: "min", sign: -1) }
        native("max", 1, -1) { vm, a throws(VMError) in try vm.extreme(a, name: "max", sign: 1) }
        native("abs", 1, 1) { vm, a throws(VMError) in
            switch a[0].tag {
            case .int:
                if a[0].asInt == .min { throw vm.fail("integer overflow") }
                return Value(abs(a[0].asInt))
            case .float: return Value(abs(a[0].asFloat))
            default: throw vm.fail("abs expects a number, not \(a[0].typeName)")
            }
        }
        defineGlobal("args", newList([]))
        installMethods()
    }

    /// `floor`, `ceil` and `round` of one number: an int (an int stays as it is); infinity and
    /// NaN cannot be, and neither can a float beyond the ints.
    func roundedToInt(_ v: Value, _ rule: FloatingPointRoundingRule, _ name: String) throws(VMError) -> Value {
        if v.tag == .int { return v }
        let x = try numberArg(v, "\(name) argument")
        guard let i = Int64(exactly: x.rounded(rule)) else { throw fail("cannot convert \(VM.formatFloat(x)) to int") }
        return Value(i)
    }

    func toInt(_ v: Value) throws(VMError) -> Value {
        switch v.tag {
        case .int: return v
        case .bool: return Value(Int64(v.asBool ? 1 : 0))
        case .float:
            let d = v.asFloat.rounded(.towardZero)
            guard let i = Int64(exactly: d) else { throw fail("cannot convert \(VM.formatFloat(v.asFloat)) to int") }
            return Value(i)
        case .string:
            let s = v.asString.value.trimmingWhitespace()
            var digits = Substring(s)
            var negative = false
            if digits.hasPrefix("-") || digits.hasPrefix("+") { negative = digits.hasPrefix("-"); digits = digits.dropFirst() }
            digits = Substring(String(digits.filter { $0 != "_" }))
            if !digits.isEmpty, !s.contains("__"), let mag = UInt64(digits), mag <= UInt64(Int64.max) + (negative ? 1 : 0) {
                return Value(negative ? Int64(bitPattern: 0 &- mag) : Int64(mag))
            }
            throw fail("cannot convert \(VM.quote(v.asString.value)) to int")
        default:
            throw fail("cannot convert \(v.typeName) to int")
        }
    }

    func toFloat(_ v: Value) throws(VMError) -> Value {
        switch v.tag {
        case .float: return v
        case .int: return Value(Double(v.asInt))
        case .bool: return Value(v.asBool ? 1.0 : 0.0)
        case .string:
            let s = v.asString.value.trimmingWhitespace()
            if let d = Double(s), !s.isEmpty { return Value(d) }
            throw fail("cannot convert \(VM.quote(v.asString.value)) to float")
        default:
            throw fail("cannot convert \(v.typeName) to float")
        }
    }

    func length(_ v: Value) throws(VMError) -> Value {
        switch v.tag {
        case .string: return Value(Int64(try v.unretained(StrObj.self) { s throws(VMError) in try scalarCount(s) }))
        case .list: return Value(Int64(v.unretained(ListObj.self) { $0.count }))
        case .map: return Value(Int64(v.unretained(MapObj.self) { $0.count }))
        case .range:
            guard let n = v.obj(RangeObj.self).count else { throw fail("range has more elements than the largest int") }
            return Value(n)
        case .channel: return Value(Int64(v.asChannel.buffer.count))
        default: throw fail("len expects a string, list, map, range or channel, not \(v.typeName)")
        }
    }

    /// The elements of a list, map (keys), string (characters) or range, as a new list the heap
    /// does not own yet, built in place (so that `list(range(n))` holds its items once, not in an
    /// array and then in the list).
    func elements(of v: Value) throws(VMError) -> ListObj {
        switch v.tag {
        case .list:
            let list = v.asList
            return ListObj(copying: list, in: 0..<list.count)
        case .map: return try mapColumn(v.asMap) { $0.key }
        case .string: return try scalarStrings(v.asString)
        case .range:
            let rg = v.obj(RangeObj.self)
            guard let count = rg.count, count <= 100_000_000 else { throw fail("range is too large to make a list") }
            try checkAllocation(bytes: Int(count) * MemoryLayout<Value>.stride)
            let out = ListObj(capacity: Int(count))
            var x = rg.start
            var left = Int(count)
            while left > 0 {  // charged a piece at a time, so Ctrl-C is heard while it builds
                let piece = min(left, 1 << 16)
                try chargeWork(piece)
                for _ in 0..<piece { out.append(Value(x)); x = x &+ rg.step }
                left -= piece
            }
            return out
        default: throw fail("cannot iterate over \(v.typeName)")
        }
    }

    private func extreme(_ a: UnsafeMutableBufferPointer<Value>, name: String, sign: Int) throws(VMError) -> Value {
        // A list argument is read in place: comparing runs no CoLang code, so nothing changes it.
        let items =
            a.count > 1 ? ListObj(copying: UnsafeBufferPointer(a)) : a[0].tag == .list ? a[0].asList : try elements(of: a[0])
        guard !items.isEmpty else { throw fail("\(name) of an empty list") }
        var best = items[0]
        for i in 1..<items.count {
            try chargeWork()
            if try compare(items[i], best) * sign > 0 { best = items[i] }
        }
        return best
    }
}
