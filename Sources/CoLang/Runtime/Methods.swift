// Built-in methods of lists, maps, strings, coroutines, tasks and channels.
import FoundationEssentials
import Glibc

extension VM {
    /// Defines a native method; `args[0]` is the receiver, counts exclude it.
    func method(_ tag: Tag, _ name: String, _ minArgs: Int, _ maxArgs: Int, _ fn: @escaping NativeFn) {
        let n = heap.track(NativeObj(name: name, minArgs: minArgs, maxArgs: maxArgs, isMethod: true, fn: fn))
        methods.set(tag, name, Value(object: n, tag: .native))
    }

    /// Defines a native method that may move control (see `NativeResult`).
    func controlMethod(_ tag: Tag, _ name: String, _ minArgs: Int, _ maxArgs: Int, _ fn: @escaping ControlFn) {
        let n = heap.track(NativeObj(name: name, minArgs: minArgs, maxArgs: maxArgs, isMethod: true, control: fn))
        methods.set(tag, name, Value(object: n, tag: .native))
    }

    /// Python-style slice bounds, clamped, negatives from the end.
    func sliceBounds(_ a: UnsafeMutableBufferPointer<Value>, count: Int) throws(VMError) -> Range<Int> {
        func clamp(_ v: Int64) -> Int {
            let n = Int64(count)
            let x = v < 0 ? max(v &+ n, 0) : min(v, n)
            return Int(x)
        }
        let start = a.count > 1 ? clamp(try intArg(a[1], "slice start")) : 0
        let end = a.count > 2 && !a[2].isNil ? clamp(try intArg(a[2], "slice end")) : count
        return start < end ? start..<end : start..<start
    }

    func stringArg(_ v: Value, _ what: String) throws(VMError) -> String {
        try stringObjArg(v, what).value
    }
    /// `v` as a string object, or the error that it is not a string.
    func stringObjArg(_ v: Value, _ what: String) throws(VMError) -> StrObj {
        guard v.tag == .string else { throw fail("\(what) must be a string, not \(v.typeName)") }
        return v.asString
    }

    func installMethods() {
        installListMethods()
        installMapMethods()
        installStringMethods()
        installConcurrencyMethods()
    }

    private func installListMethods() {
        method(.list, "push", 1, 1) { vm, a in
            a[0].unretained(ListObj.self) { $0.append(a[1]) }
            vm.heap.grownBytes &+= Heap.grownBytesPerListItem
            return .nil
        }
        method(.list, "pop", 0, 1) { vm, a throws(VMError) in
            let list = a[0].asList
            if list.isEmpty { throw vm.fail("pop from empty list") }
            if a.count == 1 { return list.removeLast() }
            let i = try vm.normalizeIndex(a[1], count: list.count, what: "list")
            try vm.chargeWork(list.count - i)  // the elements moved down
            return list.remove(at: i)
        }
        method(.list, "insert", 2, 2) { vm, a throws(VMError) in
            let list = a[0].asList
            let n = Int64(list.count)
            var i = try vm.intArg(a[1], "insert index")
            if i < 0 { i = max(i &+ n, 0) }
            try vm.chargeWork(Int(n - min(i, n)))  // the elements moved up
            list.insert(a[2], at: Int(min(i, n)))
            vm.heap.grownBytes &+= Heap.grownBytesPerListItem
            return .nil
        }
        method(.list, "remove", 1, 1) { vm, a throws(VMError) in
            let list = a[0].asList
            var i = 0
            while i < list.count {  // comparing runs no CoLang code: nothing changes the list meanwhile
                if try vm.valuesEqual(list[i], a[1]) {
                    _ = list.remove(at: i)
                    return .true
                }
                i += 1
            }
            return .false
        }
        method(.list, "contains", 1, 1) { vm, a throws(VMError) in
            let list = a[0].asList
            var i = 0
            while i < list.count {
                if try vm.valuesEqual(list[i], a[1]) { return .true }
                i += 1
            }
            return .false
        }
        method(.list, "join", 0, 1) { vm, a throws(VMError) in
            let list = a[0].asList
            if a.count > 1, a[1].tag == .string, let joined = try vm.joinStrings(list, separator: a[1].asString) {
                return joined
            }
            let sep = a.count > 1 ? try vm.stringArg(a[1], "join separator") : ""
            // By index, not through a copy of the items: `str` runs no CoLang code.
            var parts: [String] = []
            parts.reserveCapacity(list.count)
            for i in 0..<list.count {
                try vm.chargeWork()
                parts.append(try vm.str(list[i]))
            }
            return vm.newString(try vm.concatenate(parts, separator: sep))
        }
        method(.list, "slice", 1, 2) { vm, a throws(VMError) in
            let list = a[0].asList
            let bounds = try vm.sliceBounds(a, count: list.count)
            try vm.chargeNewList(bounds.count)
            return vm.heap.adopt(ListObj(copying: list, in: bounds), tag: .list)
        }
        method(.list, "reverse", 0, 0) { vm, a throws(VMError) in
            try vm.chargeWork(a[0].asList.count)
            a[0].asList.reverse()
            return .nil
        }
        controlMethod(.list, "sort", 0, 1) { vm, a throws(VMError) in
            // With a key function, sorted by CoLang code (the key may yield).
            if a.count > 1 { return .tailCall(callee: vm.preludeFunction("__sort_by"), args: [a[0], a[1]]) }
            let list = a[0].asList
            var items = list.items
            try vm.sortValues(&items)  // leaves `items` as they were when a comparison fails
            list.setItems(items)
            return .value(.nil)
        }
    }

    /// The keys or the values of `m` as a new list, charged to the limits before it is built.
    func mapColumn(_ m: MapObj, _ pick: (MapEntry) -> Value) throws(VMError) -> ListObj {
        try chargeNewList(m.count)
        let column = ListObj(capacity: m.count)
        for e in m.entryList { column.append(pick(e)) }
        return column
    }

    /// Sorts ascending with `compare`, stably: insertion sort of runs of 32, then merges of runs
    /// side by side. Every comparison counts toward `--max-steps` and hears Ctrl-C, and the first
    /// one that throws (a type mismatch, the step limit, an interrupt) stops the sort at once,
    /// leaving the list as it was. (Swift's `sort` cannot be stopped: a sort of millions would run
    /// on to the end, comparison errors and all.)
    func sortValues(_ items: inout ContiguousArray<Value>) throws(VMError) {
        let n = items.count
        if n < 2 { return }
        try checkAllocation(bytes: 2 * n * MemoryLayout<Value>.stride)  // the two buffers below
        @inline(__always) func less(_ x: Value, _ y: Value) throws(VMError) -> Bool {
            try chargeWork()
            return try compare(x, y) < 0
        }
        var a = items, b = items
        let run = 32
        var start = 0
        while start < n {
            let end = min(start + run, n)
            for i in (start + 1)..<max(end, start + 1) {
                let x = a[i]
                var j = i
                while j > start, try less(x, a[j - 1]) { a[j] = a[j - 1]; j -= 1 }
                a[j] = x
            }
            start = end
        }
        var width = run
        while width < n {
            var lo = 0
            while lo < n {
                let mid = min(lo + width, n), hi = min(lo + 2 * width, n)
                var i = lo, j = mid, k = lo
                while i < mid && j < hi {
                    // Only a strictly smaller right element goes first: equal ones keep their order.
                    if try less(a[j], a[i]) { b[k] = a[j]; j += 1 } else { b[k] = a[i]; i += 1 }
                    k += 1
                }
                while i < mid { b[k] = a[i]; i += 1; k += 1 }
                while j < hi { b[k] = a[j]; j += 1; k += 1 }
                lo = hi
            }
            swap(&a, &b)
            width *= 2
        }
        items = a
    }

    private func installMapMethods() {
        method(.map, "keys", 0, 0) { vm, a throws(VMError) in vm.heap.adopt(try vm.mapColumn(a[0].asMap) { $0.key }, tag: .list) }
        method(.map, "values", 0, 0) { vm, a throws(VMError) in vm.heap.adopt(try vm.mapColumn(a[0].asMap) { $0.value }, tag: .list) }
        method(.map, "has", 1, 1) { vm, a throws(VMError) in
            Value(a[0].asMap.find(a[1], hash: try vm.mapHash(a[1])) != nil)
        }
        method(.map, "remove", 1, 1) { vm, a throws(VMError) in
            a[0].asMap.remove(a[1], hash: try vm.mapHash(a[1])) ?? .nil
        }
    }

    /// String methods work on code points (UTF-8 bytes), metered and sized: see StringMethods.swift.
    private func installStringMethods() {
        method(.string, "upper", 0, 0) { vm, a throws(VMError) in vm.newString(try vm.changeCase(a[0].asString, upper: true)) }
        method(.string, "lower", 0, 0) { vm, a throws(VMError) in vm.newString(try vm.changeCase(a[0].asString, upper: false)) }
        method(.string, "trim", 0, 0) { vm, a throws(VMError) in try vm.trim(a[0]) }
        method(.string, "split", 0, 1) { vm, a throws(VMError) in
            var sep: StrObj?
            if a.count > 1 {
                sep = try vm.stringObjArg(a[1], "split separator")
                if sep!.utf8Count == 0 { throw vm.fail("split separator cannot be empty") }
            }
            return try vm.split(a[0].asString, separator: sep)
        }
        method(.string, "contains", 1, 1) { vm, a throws(VMError) in
            Value(try vm.contains(a[0].asString, try vm.stringObjArg(a[1], "contains argument")))
        }
        method(.string, "starts_with", 1, 1) { vm, a throws(VMError) in
            Value(try vm.hasAffix(a[0].asString, try vm.stringObjArg(a[1], "starts_with argument"), atEnd: false))
        }
        method(.string, "ends_with", 1, 1) { vm, a throws(VMError) in
            Value(try vm.hasAffix(a[0].asString, try vm.stringObjArg(a[1], "ends_with argument"), atEnd: true))
        }
        method(.string, "replace", 2, 2) { vm, a throws(VMError) in
            let old = try vm.stringObjArg(a[1], "replace's first argument")
            let new = try vm.stringObjArg(a[2], "replace's second argument")
            if old.utf8Count == 0 { return a[0] }
            return try vm.replace(a[0].asString, old, new) ?? a[0]
        }
        method(.string, "slice", 1, 2) { vm, a throws(VMError) in
            try a[0].unretained(StrObj.self) { s throws(VMError) in
                try vm.substring(s, try vm.sliceBounds(a, count: try vm.scalarCount(s)))
            }
        }
    }

    private func installConcurrencyMethods() {
        controlMethod(.coroutine, "resume", 0, 1) { vm, a throws(VMError) in
            try vm.resumeCoroutine(a[0].asCoroutine, value: a.count > 1 ? a[1] : .nil, mode: .resume)
        }
        controlMethod(.coroutine, "next", 0, 0) { vm, a throws(VMError) in
            try vm.resumeCoroutine(a[0].asCoroutine, value: .nil, mode: .resume)
        }
        controlMethod(.coroutine, "send", 1, 1) { vm, a throws(VMError) in
            try vm.resumeCoroutine(a[0].asCoroutine, value: a[1], mode: .send)
        }
        controlMethod(.coroutine, "throw", 1, 1) { vm, a throws(VMError) in
            try vm.resumeCoroutine(a[0].asCoroutine, value: a[1], mode: .throw)
        }
        controlMethod(.coroutine, "close", 0, 0) { vm, a throws(VMError) in try vm.closeCoroutine(a[0].asCoroutine) }
        controlMethod(.task, "join", 0, 0) { vm, a throws(VMError) in try vm.join(a[0].asTask) }
        controlMethod(.task, "cancel", 0, 0) { vm, a throws(VMError) in try vm.cancel(a[0].asTask) }
        controlMethod(.channel, "send", 1, 1) { vm, a throws(VMError) in try vm.channelSend(a[0].asChannel, a[1]) }
        controlMethod(.channel, "recv", 0, 0) { vm, a in vm.channelRecv(a[0].asChannel) }
        method(.channel, "close", 0, 0) { vm, a in vm.channelClose(a[0].asChannel) }
    }
}

extension Builtins {
    static let fieldNames = [
        "status", "done", "result", "id", "name", "capacity", "closed", "message", "trace", "port", "address", "peer",
    ]
}

/// Static facts about the builtins, for completion.
enum Builtins {
    static let methodNames = [
        "push", "pop", "insert", "remove", "contains", "join", "slice", "sort", "reverse", "map", "filter",
        "keys", "values", "has", "upper", "lower", "split", "trim", "starts_with", "ends_with", "replace",
        "resume", "next", "send", "throw", "close", "cancel", "recv", "accept", "read", "read_line", "write",
    ]
    static var allMemberNames: [String] { Array(Set(methodNames + fieldNames)).sorted() }
}
