// The deadlock report: each blocked task with where it waits (file:line) and on what, channels
// named by the variables that hold them, and the wait-for cycle when there is one.

extension VM {
    /// The report printed when every live task is blocked (LANGUAGE.md section 7).
    func deadlockReport() -> String {
        let blocked = scheduler.live.filter { $0.status == .blocked }
        let names = channelNames(seenBy: blocked)
        func name(_ c: ChannelObj) -> String { names[ObjectIdentifier(c)] ?? "channel #\(c.id)" }
        // Which blocked tasks could reach each channel a task waits on (hold it in a variable,
        // an argument, a captured variable, or read the global that holds it).
        var reach = ReachIndex(vm: self)
        func others(_ c: ChannelObj, _ t: TaskObj) -> [TaskObj] {
            blocked.filter { $0 !== t && reach.canReach($0, c) }
        }

        var out = "deadlock: all tasks are blocked\n"
        var edges: [ObjectIdentifier: [(via: String?, to: TaskObj)]] = [:]
        for t in blocked {
            var line = "  task \(t.name)"
            if let site = waitSite(t) { line += " (\(site))" }
            var targets: [TaskObj] = []
            switch t.waitingOn {
            case .recv(let c):
                targets = others(c, t)
                line += " waits to receive on \(name(c))"
                line += reason(targets, none: "no other task can send on it", some: "could send on it")
                edges[ObjectIdentifier(t)] = targets.map { (name(c), $0) }
            case .send(let c, _):
                targets = others(c, t)
                line += " waits to send on \(name(c))"
                line += reason(targets, none: "no other task can receive from it", some: "could receive from it")
                edges[ObjectIdentifier(t)] = targets.map { (name(c), $0) }
            case .select(let s):
                var all: [(String?, TaskObj)] = []
                var seen: Set<ObjectIdentifier> = []
                for op in s.ops {
                    for o in others(op.channel, t) {
                        all.append((name(op.channel), o))
                        if seen.insert(ObjectIdentifier(o)).inserted { targets.append(o) }
                    }
                }
                let words = s.ops.map { name($0.channel) + ($0.sends ? " (send)" : "") }.joined(separator: ", ")
                line += " waits in select on \(words)"
                line += reason(targets, none: "no other task can complete any of them", some: "could complete them")
                edges[ObjectIdentifier(t)] = all
            case .join(let other):
                line += " " + waitDescription(t)
                if other.status == .blocked { edges[ObjectIdentifier(t)] = [(nil, other)] }
            case .none, .timer, .socket:
                line += " " + waitDescription(t)
            }
            out += line + "\n"
        }
        if let cycle = shortestCycle(blocked, edges) {
            var text = cycle[0].from.name
            for step in cycle {
                if let via = step.via { text += " -> \(via) <- \(step.to.name)" } else { text += " -> \(step.to.name)" }
            }
            out += "wait-for cycle: \(text)\n"
            if cycle.contains(where: { $0.via != nil }) {
                out += "  (A -> ch <- B: task A waits on channel ch, which B could serve but B waits too)\n"
            }
        }
        return out
    }

    /// The words after a channel wait: nobody else can reach the channel, or only these
    /// blocked tasks could.
    private func reason(_ targets: [TaskObj], none: String, some: String) -> String {
        if targets.isEmpty { return ": \(none)" }
        let who = targets.map(\.name).joined(separator: ", ")
        return targets.count == 1 ? ": only \(who), itself blocked, \(some)" : ": only \(who), all blocked, \(some)"
    }

    /// The shortest wait-for cycle (breadth-first from each task in turn), as its steps.
    private func shortestCycle(
        _ tasks: [TaskObj], _ edges: [ObjectIdentifier: [(via: String?, to: TaskObj)]]
    ) -> [(from: TaskObj, via: String?, to: TaskObj)]? {
        var best: [(from: TaskObj, via: String?, to: TaskObj)]? = nil
        for start in tasks {
            // Breadth-first search back to `start`; `parent` remembers how each task was reached.
            var parent: [ObjectIdentifier: (from: TaskObj, via: String?)] = [:]
            var frontier = [start]
            var found: TaskObj? = nil
            search: while !frontier.isEmpty {
                var next: [TaskObj] = []
                for t in frontier {
                    for e in edges[ObjectIdentifier(t)] ?? [] {
                        if e.to === start {
                            parent[ObjectIdentifier(start)] = (t, e.via)
                            found = t
                            break search
                        }
                        if parent[ObjectIdentifier(e.to)] == nil {
                            parent[ObjectIdentifier(e.to)] = (t, e.via)
                            next.append(e.to)
                        }
                    }
                }
                frontier = next
            }
            guard found != nil else { continue }
            var steps: [(from: TaskObj, via: String?, to: TaskObj)] = []
            var cur = start
            repeat {
                guard let p = parent[ObjectIdentifier(cur)] else { break }
                steps.append((p.from, p.via, cur))
                cur = p.from
            } while cur !== start && steps.count <= tasks.count
            steps.reverse()
            func joins(_ c: [(from: TaskObj, via: String?, to: TaskObj)]) -> Int { c.filter { $0.via == nil }.count }
            if let b = best, (b.count, joins(b)) <= (steps.count, joins(steps)) { continue }
            best = steps
        }
        // Told from the task that comes first in spawn order.
        guard let cycle = best else { return nil }
        let position = { (t: TaskObj) in tasks.firstIndex { $0 === t } ?? Int.max }
        guard let first = cycle.indices.min(by: { position(cycle[$0].from) < position(cycle[$1].from) }) else { return cycle }
        return Array(cycle[first...] + cycle[..<first])
    }

    /// Where `t` waits: `file:line` of its innermost frame outside the prelude.
    func waitSite(_ t: TaskObj) -> String? {
        var f: Fiber? = t.active
        var innermost = true
        while let fiber = f {
            var i = fiber.frameCount - 1
            while i >= 0 {
                let frame = fiber.frames[i]
                let proto = frame.closure.takeUnretainedValue().proto
                if !proto.isPrelude {
                    let loc = proto.location(at: max(frame.ip - 1, 0))
                    return "\(proto.source.name):\(loc.line)"
                }
                innermost = false
                i -= 1
            }
            _ = innermost
            f = fiber.isTaskRoot ? nil : fiber.resumer
        }
        return nil
    }

    /// Names for channels, by what holds them: a global (`orders`), a field or item of a global
    /// map or list (`kitchen.orders`, `pipes[2]`), else a named local of one of `tasks`' frames
    /// where the task waits. The first name found wins, in that order.
    func channelNames(seenBy tasks: [TaskObj]) -> [ObjectIdentifier: String] {
        var names: [ObjectIdentifier: String] = [:]
        func note(_ v: Value, _ name: String) {
            guard v.tag == .channel else { return }
            let id = ObjectIdentifier(v.asChannel)
            if names[id] == nil { names[id] = name }
        }
        let globalsList = globalNamesAndValues()
        for (n, v) in globalsList { note(v, n) }
        for (n, v) in globalsList {
            forEachChild(v, depth: 2) { child, suffix in note(child, n + suffix) }
        }
        for t in tasks {
            forEachFrame(t) { fiber, frame in
                let proto = frame.closure.takeUnretainedValue().proto
                for l in proto.localNames
                where !l.name.isEmpty && !l.name.hasPrefix("(") && l.range.lowerBound <= frame.ip && frame.ip <= l.range.upperBound {
                    let at = frame.base + l.slot
                    if at < fiber.sp { note(fiber.stack[at], l.name) }
                }
            }
        }
        return names
    }

    /// The program's globals (not the prelude's `__` helpers), in definition order.
    func globalNamesAndValues() -> [(String, Value)] {
        let all = globals.names
        var out: [(String, Value)] = []
        for (slot, n) in all.enumerated() where slot < globalValues.count && !n.hasPrefix("__") {
            let v = globalValues[slot]
            if v.tag != .undefined { out.append((n, v)) }
        }
        return out
    }

    /// Calls `body` with each item of a list or value of a map, `depth` levels down (the first
    /// 1,000 of each container), and how to name it from `v` (`[2]`, `.orders`, `.bills[0]`).
    func forEachChild(_ v: Value, depth: Int = 2, _ body: (Value, String) -> Void) {
        guard depth > 0 else { return }
        if v.tag == .list {
            let list = v.asList
            for (i, item) in list.items(in: 0..<min(list.count, 1000)).enumerated() {
                body(item, "[\(i)]")
                forEachChild(item, depth: depth - 1) { body($0, "[\(i)]" + $1) }
            }
        } else if v.tag == .map {
            for e in v.asMap.entryList.prefix(1000) {
                let key: String
                if e.key.tag == .string, let s = try? str(e.key), VM.isIdentifier(s) { key = ".\(s)" } else { key = "[\(repr(e.key))]" }
                body(e.value, key)
                forEachChild(e.value, depth: depth - 1) { body($0, key + $1) }
            }
        }
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || (first.properties.isAlphabetic && first.isASCII) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) }
    }

    /// Calls `body` with every frame of `t`'s resume chain, innermost fiber first.
    func forEachFrame(_ t: TaskObj, _ body: (Fiber, CallFrame) -> Void) {
        var f: Fiber? = t.active
        while let fiber = f {
            for i in 0..<fiber.frameCount { body(fiber, fiber.frames[i]) }
            f = fiber.isTaskRoot ? nil : fiber.resumer
        }
    }
}

/// Which channels a task could still use: those in its stacks' slots (variables, arguments,
/// temporaries) and its frames' captured variables, directly or as an item of a list or map
/// held there, and those in (or one level inside) the globals its frames' code reads.
struct ReachIndex {
    let vm: VM
    private var reachable: [ObjectIdentifier: Set<ObjectIdentifier>] = [:]
    private var globalsReadBy: [ObjectIdentifier: Set<Int>] = [:]

    init(vm: VM) { self.vm = vm }

    mutating func canReach(_ t: TaskObj, _ c: ChannelObj) -> Bool {
        if let set = reachable[ObjectIdentifier(t)] { return set.contains(ObjectIdentifier(c)) }
        var set: Set<ObjectIdentifier> = []
        func add(_ v: Value) {
            if v.tag == .channel {
                set.insert(ObjectIdentifier(v.asChannel))
            } else {
                vm.forEachChild(v) { child, _ in if child.tag == .channel { set.insert(ObjectIdentifier(child.asChannel)) } }
            }
        }
        var slots: Set<Int> = []
        var f: Fiber? = t.active
        while let fiber = f {
            for i in 0..<fiber.sp { add(fiber.stack[i]) }
            f = fiber.isTaskRoot ? nil : fiber.resumer
        }
        vm.forEachFrame(t) { _, frame in
            let closure = frame.closure.takeUnretainedValue()
            for u in closure.upvalues { add(u.isOpen ? u.slot.pointee : u.closed) }
            slots.formUnion(globalsRead(by: closure.proto))
        }
        for slot in slots where slot < vm.globalValues.count { add(vm.globalValues[slot]) }
        reachable[ObjectIdentifier(t)] = set
        return set.contains(ObjectIdentifier(c))
    }

    /// The global slots `proto`'s own code reads.
    private mutating func globalsRead(by proto: FunctionProto) -> Set<Int> {
        if let s = globalsReadBy[ObjectIdentifier(proto)] { return s }
        var s: Set<Int> = []
        var at = 0
        while at < proto.codeCount, let ins = proto.instruction(at: at) {
            if ins.op == .getGlobal, let slot = ins.operands.first { s.insert(slot) }
            at = ins.next
        }
        globalsReadBy[ObjectIdentifier(proto)] = s
        return s
    }
}
