// "Did you mean ...?": the closest existing name for an undefined variable, method or field,
// as Python 3.10+ suggests (issue 14, item 7).

extension VM {
    /// `undefined variable 'countr'`, with the closest defined global when one is close enough.
    func undefinedVariable(_ name: String) -> VMError {
        fail("undefined variable '\(name)'" + VM.didYouMean(name, among: definedGlobalNames()))
    }

    /// `list has no method 'append' (did you mean 'push'?)`.
    func noMethod(_ value: Value, _ name: String) -> VMError {
        fail("\(value.typeName) has no method '\(name)'" + VM.didYouMean(name, among: methodNames(of: value), synonyms: true))
    }

    /// `map`'s fields are its keys; other values have fixed fields and methods.
    func noField(_ value: Value, _ name: String) -> VMError {
        let fields = VM.fieldNames[value.tag] ?? []
        return fail(
            "\(value.typeName) has no field '\(name)'" + VM.didYouMean(name, among: fields + methodNames(of: value), synonyms: true))
    }

    private func methodNames(of value: Value) -> [String] {
        methods.ids.names.filter { methods.lookup(value.tag, name: $0) != nil }
    }

    /// For REPL completion after `name.`: the methods and fields of global `name`'s value (a
    /// map's are its string keys that are names), sorted; nil when no such global is defined.
    func memberNames(ofGlobal name: String) -> [String]? {
        ensureGlobalCapacity()
        guard let slot = globals.lookup(name), slot < globalValues.count else { return nil }
        let value = globalValues[slot]
        if value.tag == .undefined { return nil }
        var names = methodNames(of: value) + (VM.fieldNames[value.tag] ?? [])
        if value.tag == .map {
            for entry in value.asMap.entryList where entry.key.tag == .string {
                let key = entry.key.asString.value
                if let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
                    key.unicodeScalars.allSatisfy({ $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) })
                {
                    names.append(key)
                }
            }
        }
        return Array(Set(names.filter { !$0.hasPrefix("__") })).sorted()
    }

    /// The fields `getField` knows for each type (methods come from the method table).
    static let fieldNames: [Tag: [String]] = [
        .coroutine: ["status", "done", "result"], .task: ["id", "name", "status", "result"],
        .channel: ["capacity", "closed"], .error: ["message", "trace"],
        .listener: ["port", "address", "closed"], .connection: ["peer", "closed"],
    ]

    /// What other languages call a method CoLang has under another name.
    static let synonyms: [String: String] = [
        "append": "push", "add": "push", "extend": "push", "length": "len", "size": "len",
        "includes": "contains", "indexOf": "contains", "strip": "trim", "startswith": "starts_with",
        "endswith": "ends_with", "toUpperCase": "upper", "toLowerCase": "lower", "items": "keys",
        "get": "has", "delete": "remove", "receive": "recv", "put": "send", "finish": "close",
    ]

    /// ` (did you mean 'x'?)` for the candidate closest to `name`, or "" when none is close:
    /// Python's measure (a case change costs 1, any other edit 2, at most (len + len' + 3) / 3).
    /// With `synonyms`, a name other languages use (`append`) points at CoLang's (`push`); `len`
    /// is a builtin, so it is suggested as `len(x)`.
    static func didYouMean(_ name: String, among candidates: [String], synonyms: Bool = false) -> String {
        if synonyms, let other = VM.synonyms[name] {
            if other == "len" { return " (did you mean len(x)?)" }
            if candidates.contains(other) { return " (did you mean '\(other)'?)" }
        }
        let a = Array(name.unicodeScalars)
        guard a.count <= 40 else { return "" }
        var best: (String, Int)?
        for c in candidates where c != name && !c.hasPrefix("__") {
            let b = Array(c.unicodeScalars)
            let limit = (a.count + b.count + 3) * 2 / 6
            guard abs(a.count - b.count) * 2 <= limit else { continue }
            let cost = editCost(a, b)
            if cost <= limit && cost < (best?.1 ?? Int.max) { best = (c, cost) }
        }
        return best.map { " (did you mean '\($0.0)'?)" } ?? ""
    }

    /// Levenshtein distance with substitutions, insertions and deletions costing 2, and a
    /// substitution that only changes case 1.
    private static func editCost(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty || b.isEmpty { return 2 * max(a.count, b.count) }
        var previous = Array(stride(from: 0, through: 2 * b.count, by: 2))
        var row = previous
        for i in 1...a.count {
            row[0] = 2 * i
            for j in 1...b.count {
                let x = a[i - 1], y = b[j - 1]
                let substitution = x == y ? 0 : (x.properties.lowercaseMapping == y.properties.lowercaseMapping ? 1 : 2)
                row[j] = min(previous[j - 1] + substitution, previous[j] + 2, row[j - 1] + 2)
            }
            swap(&previous, &row)
        }
        return previous[b.count]
    }
}

extension VM {
    /// `cannot iterate over nil` or `nil has no method 'next'` where the value is the result of
    /// a plain call of a function that contains `yield` (`PlainCallHint`): the same error,
    /// saying how to make a generator of it. Other errors come back unchanged. The failing
    /// instruction is the innermost frame's saved ip.
    func withPlainCallHint(_ v: Value) -> Value {
        guard v.tag == .error else { return v }
        let e = v.asError
        guard !e.traced, e.message.hasPrefix("cannot iterate over ") || e.message.contains(" has no method '") else { return v }
        let f: Fiber = current
        guard f.frameCount > 0 else { return v }
        let frame = f.topFrame.pointee
        guard let hint = frame.closure.takeUnretainedValue().proto.plainCallHints[frame.ip] else { return v }
        if !hint.knownToYield {
            guard let slot = globals.lookup(hint.callee), slot < globalCount else { return v }
            let callee = globalSlots[slot]
            guard callee.tag == .closure, callee.asClosure.proto.containsYield else { return v }
        }
        return fail("\(e.message) (\(hint.text))").value
    }
}
