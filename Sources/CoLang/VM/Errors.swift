// Unwinding to `catch` handlers across frames and coroutines, tracebacks, and error reports.
import CoLangSyntax

extension VM {
    /// Unwinds `v` from the current fiber's saved state to the nearest handler, crossing from a
    /// failing coroutine into its resumer. Returns a stop when the task's root fiber fails.
    ///
    /// A close or a cancellation (an error whose `unwind` is set) passes `catch` handlers by and
    /// stops at `finally` ones only; a fiber it leaves ends `done`, not `failed`. A close ends at
    /// the coroutine `close()` was called on, whose resumer gets nil from `close()`; a
    /// cancellation ends at the task's root (`.cancelled`).
    func handleError(_ v: Value) -> ExecStop? {
        let unwind = v.tag == .error ? v.asError.unwind : .none
        if rethrowing {
            rethrowing = false
        } else if unwind == .none {
            recordTrace(v)
        }
        while true {
            let f: Fiber = current
            while let h = f.popHandler() {
                if unwind != .none && !h.isFinally { continue }
                // A handler is never inside a `yield from` loop: whatever it delegated to is over.
                f.delegate = .nil
                f.closeUpvalues(from: h.sp)
                f.frameCount = h.frameCount
                f.sp = h.sp
                f.push(v)
                f.topFrame.pointee.ip = h.target
                return nil
            }
            f.closeUpvalues(from: 0)
            f.frameCount = 0
            f.sp = 0
            if unwind != .none && !f.isTaskRoot {
                if unwind == .close && f.unwinding != .closeDelegate {
                    // The close is over (also one that a `yield` in a `finally` put off until
                    // the coroutine was resumed again): `close()`, or that resume, returns nil.
                    transfer(.finish(.nil))
                    return nil
                }
                transfer(.unwound)  // and go on unwinding in the resumer
                continue
            }
            if unwind == .cancel && currentTask.cancelling { return .cancelled }
            if f.isTaskRoot { return .failed(v) }
            transfer(.fail)  // and go on unwinding in the resumer
        }
    }

    /// The value that unwinds a close or a cancellation; its message is what a learner sees
    /// should it ever be reported.
    func unwindingError(_ kind: Unwind, _ message: String) -> Value {
        let e = heap.track(ErrorObj(message: message))
        e.unwind = kind
        e.traced = true
        return Value(object: e, tag: .error)
    }

    /// The traceback of the current resume chain, outermost first. The innermost frame's saved ip
    /// is the failing instruction; every other frame's is just past its call.
    func currentTrace() -> [TraceEntry] {
        var chain: [Fiber] = []
        var f: Fiber? = current
        var total = 0
        while let x = f { chain.append(x); total += x.frameCount; f = x.resumer }
        // Only the outermost and innermost frames of a very deep chain are kept: an error raised
        // again and again in a deep recursion (a caught step limit) must not cost O(depth) each time.
        let keep = VM.tracebackFramesKept
        let skipFrom = total > 2 * keep ? keep : total, skipTo = total > 2 * keep ? total - keep : total
        var offset = 0  // frames of the outer fibers already walked
        var entries: [TraceEntry] = []
        for (n, fiber) in chain.reversed().enumerated() {
            var boundary: String? = n == 0 ? nil : "resumed coroutine \(fiber.name) (co#\(fiber.id))"
            var i = 0
            while i < fiber.frameCount {
                if offset + i >= skipFrom && offset + i < skipTo {
                    if offset + i == skipFrom {
                        entries.append(TraceEntry(file: "", line: 0, function: "", boundary: nil, skippedCount: skipTo - skipFrom))
                    }
                    i = min(fiber.frameCount, skipTo - offset)
                    continue
                }
                let frame = fiber.frames[i]
                i += 1
                let proto = frame.closure.takeUnretainedValue().proto
                if proto.isPrelude { continue }
                let innermost = n == chain.count - 1 && i == fiber.frameCount
                let loc = proto.location(at: innermost ? frame.ip : max(frame.ip - 1, 0))
                let name = proto.name.isEmpty ? "<fn>" : proto.name
                entries.append(TraceEntry(file: proto.source.name, line: loc.line, function: name, boundary: boundary))
                boundary = nil
            }
            offset += fiber.frameCount
        }
        return VM.compress(entries)
    }

    /// How many of the outermost and of the innermost frames a traceback keeps.
    static let tracebackFramesKept = 100

    /// Collapses runs of identical frames (deep recursion) into one line saying how many.
    static func compress(_ entries: [TraceEntry]) -> [TraceEntry] {
        var out: [TraceEntry] = []
        var i = 0
        while i < entries.count {
            let e = entries[i]
            var j = i + 1
            while j < entries.count, entries[j].boundary == nil, entries[j].isSameSite(as: e) { j += 1 }
            let run = j - i
            out.append(e)
            if run > 1 { out.append(e) }
            if run > 2 {
                out.append(
                    TraceEntry(
                        file: e.file, line: e.line, function: e.function, boundary: nil,
                        repeatCount: run - 2))
            }
            i = j
        }
        return out
    }

    /// The source and position of the innermost non-prelude frame; failing that, where the
    /// innermost fiber that has one was created. `exactInnermost: false` reads the innermost
    /// frame's position as a return address too (its saved ip is past a call).
    func currentSite(exactInnermost: Bool = true) -> (SourceText, SourceLoc)? {
        var f: Fiber? = current
        var innermost = exactInnermost
        while let fiber = f {
            for (i, frame) in fiber.frameList.enumerated().reversed() {
                let proto = frame.closure.takeUnretainedValue().proto
                if proto.isPrelude { innermost = false; continue }
                let exact = innermost && i == fiber.frameCount - 1
                return (proto.source, proto.location(at: exact ? frame.ip : max(frame.ip - 1, 0)))
            }
            innermost = false
            f = fiber.resumer
        }
        var g: Fiber? = current
        while let fiber = g {
            if let o = fiber.origin { return (o.source, o.loc) }
            g = fiber.resumer
        }
        return nil
    }

    /// Attaches where `v` was raised: to an error value the first time, else to `lastThrowSite`.
    func recordTrace(_ v: Value) {
        let taskName = currentTask?.name ?? "main"
        if v.tag == .error {
            let e = v.asError
            if e.traced { return }
            e.traced = true
            e.trace = currentTrace()
            heap.noteBigAllocation(bytes: e.trace.count * MemoryLayout<TraceEntry>.stride, limit: memoryLimit)
            if let (src, loc) = currentSite() { e.source = src; e.loc = loc }
            e.taskName = taskName
        } else {
            let site = currentSite()
            lastThrowSite = (site?.0, site?.1 ?? .unknown, currentTrace(), taskName)
        }
    }

    /// The message of a thrown value: an error's message, or `str` of anything else (cut short
    /// after 100,000 characters).
    func message(of v: Value) -> String {
        if v.tag == .error { return v.asError.message }
        if v.tag == .string { return v.asString.value }
        return repr(v, maxLength: 100_000)
    }

    /// The full report of an uncaught error: message, location, caret excerpt and traceback.
    func report(_ v: Value, header: String) -> String {
        var out = "\(header)\(message(of: v))\n"
        var source: SourceText?
        var loc = SourceLoc.unknown
        var trace: [TraceEntry] = []
        var task = "main"
        if v.tag == .error {
            let e = v.asError
            source = e.source; loc = e.loc; trace = e.trace; task = e.taskName ?? task
        } else if let site = lastThrowSite {
            source = site.source; loc = site.loc; trace = site.trace; task = site.task
        }
        if let source, loc.line > 0 {
            out += " --> \(source.name):\(loc.line):\(loc.column)\n"
            out += Diagnostic.excerpt(source: source, loc: loc)
        }
        if !trace.isEmpty {
            out += "traceback (most recent call last), in task \(task):\n"
            for t in trace {
                if let b = t.boundary { out += "  -- \(b) --\n" }
                out += "  \(t.text)\n"
            }
        }
        return out
    }
}
