// The string methods on UTF-8 bytes: by code point (never Swift's canonical equivalence or
// grapheme clusters, see Text.swift), metered (the bytes read and written count toward
// `--max-steps` and Ctrl-C stops them, see `chargeText`), and sized before they build a big result
// (`checkAllocation`), so `--max-memory` refuses a huge `split` or `replace` before it is made.
// Every `UnsafeBufferPointer<UInt8>` here is a string's UTF-8 bytes from `StrObj.withBytes`,
// used only inside that call and never kept.
import Glibc

extension VM {
    /// Rough bytes one string in a new list costs: the object and its slot in the list.
    static let stringPieceBytes = StrObj("").estimatedSize + MemoryLayout<Value>.stride

    /// The offset of the first match of `pin` (not empty) in `hay` at or after `start`, charged.
    func nextMatch(of pin: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>, from start: Int) throws(VMError) -> Int? {
        var matches = Matches(pin, in: hay, from: start)
        let hit = try matches.next(self)
        try matches.finish(self)
        return hit
    }

    /// Calls `body` with the byte range of each piece of `hay` between separators: the matches of
    /// `separator`, or (nil) runs of white space, with no empty pieces, as `split()` does.
    func forEachPiece(
        of hay: UnsafeBufferPointer<UInt8>, separator: UnsafeBufferPointer<UInt8>?,
        _ body: (Range<Int>) throws(VMError) -> Void
    ) throws(VMError) {
        if let pin = separator {
            var matches = Matches(pin, in: hay)
            var at = 0
            while let hit = try matches.next(self) {
                try body(at..<hit)
                at = hit + pin.count
            }
            try matches.finish(self)
            try body(at..<hay.count)
            return
        }
        var i = 0, pieceStart = -1, sinceCharge = 0
        while i < hay.count {
            let (c, n) = decodeUTF8(hay, i)
            if isWhiteSpace(c) {
                if pieceStart >= 0 { try body(pieceStart..<i); pieceStart = -1 }
            } else if pieceStart < 0 {
                pieceStart = i
            }
            i += n
            sinceCharge += n
            if sinceCharge >= VM.textChunk { try chargeText(sinceCharge); sinceCharge = 0 }
        }
        try chargeText(sinceCharge)
        if pieceStart >= 0 { try body(pieceStart..<hay.count) }
    }

    /// `s.split(sep)` / `s.split()`: counted and sized first, then built.
    func split(_ s: StrObj, separator: StrObj?) throws(VMError) -> Value {
        let items: ListObj = try s.withBytes { hay throws(VMError) in
            try VM.withOptionalBytes(separator) { pin throws(VMError) in
                // How many pieces, refused as soon as they would pass the memory limit.
                let cap = memoryLimit / VM.stringPieceBytes + 1
                var pieces = 0
                try forEachPiece(of: hay, separator: pin) { _ throws(VMError) in
                    pieces += 1
                    if pieces > cap { throw fail(memoryLimitMessage) }
                }
                try checkAllocation(bytes: pieces &* VM.stringPieceBytes &+ hay.count)
                let items = ListObj(capacity: pieces)  // built in place: a big list is not copied
                try forEachPiece(of: hay, separator: pin) { r throws(VMError) in
                    try chargeWork()
                    try chargeText(r.count)
                    items.append(heap.stringValue(bytes: UnsafeBufferPointer(rebasing: hay[r])))
                }
                return items
            }
        }
        return heap.adopt(items, tag: .list)
    }

    /// `body` with the bytes of `s`, or nil.
    static func withOptionalBytes<R>(_ s: StrObj?, _ body: (UnsafeBufferPointer<UInt8>?) throws(VMError) -> R) throws(VMError) -> R {
        guard let s else { return try body(nil) }
        return try s.withBytes { b throws(VMError) in try body(b) }
    }

    /// Whether `needle` occurs in `s` (the empty string occurs everywhere).
    func contains(_ s: StrObj, _ needle: StrObj) throws(VMError) -> Bool {
        if needle.utf8Count == 0 { return true }
        return try s.withBytes { hay throws(VMError) in
            try needle.withBytes { pin throws(VMError) in try nextMatch(of: pin, in: hay, from: 0) != nil }
        }
    }

    /// Whether `s` starts (or ends) with the code points of `affix`.
    func hasAffix(_ s: StrObj, _ affix: StrObj, atEnd: Bool) throws(VMError) -> Bool {
        let n = affix.utf8Count
        try chargeText(n)
        return s.withBytes { hay in
            affix.withBytes { pin in
                if n > hay.count { return false }
                if n == 0 { return true }
                return memcmp(hay.baseAddress! + (atEnd ? hay.count - n : 0), pin.baseAddress!, n) == 0
            }
        }
    }

    /// `s.replace(old, new)`: every non-overlapping match of `old` (not empty), counted and sized
    /// first, then built in one piece; nil when there is none.
    func replace(_ s: StrObj, _ old: StrObj, _ new: StrObj) throws(VMError) -> Value? {
        try s.withBytes { hay throws(VMError) in
            try old.withBytes { pin throws(VMError) in
                try new.withBytes { rep throws(VMError) -> Value? in
                    let growth = rep.count - pin.count
                    // A growing result is sized as the input plus every match's replacement (the
                    // input stays live while it is built), a shrinking one as itself.
                    let cap = growth > 0 ? memoryLimit / rep.count + 1 : .max
                    var count = 0
                    var matches = Matches(pin, in: hay)
                    while count < cap, try matches.next(self) != nil { count += 1 }
                    try matches.finish(self)
                    if count == 0 { return nil }
                    let (added, overflow) = (growth > 0 ? rep.count : growth).multipliedReportingOverflow(by: count)
                    try checkAllocation(bytes: overflow ? .max : hay.count &+ added)
                    let total = hay.count + growth * count
                    // Charged before it is built: the second search reads the bytes again and
                    // `total` are written. It finds the same `count` matches as the first (a
                    // count stopped at `cap` failed `checkAllocation`), so exactly `total` bytes
                    // are written (`String.copy` and the string's initializer check it).
                    try chargeText(hay.count &+ total)
                    return joined(count: total) { o, written in
                        var at = 0
                        let h = hay.baseAddress.unsafelyUnwrapped
                        var matches = Matches(pin, in: hay)
                        while let hit = matches.nextUncharged() {
                            String.copy(UnsafeBufferPointer(start: h + at, count: hit - at), to: o, at: &written, capacity: total)
                            String.copy(rep, to: o, at: &written, capacity: total)
                            at = hit + pin.count
                        }
                        String.copy(UnsafeBufferPointer(start: h + at, count: hay.count - at), to: o, at: &written, capacity: total)
                    }
                }
            }
        }
    }

    /// `list.join(separator)` when every item is a string (nil when one is not): sized, checked
    /// and charged as `concatenate` does, then copied byte by byte into one string. By index:
    /// nothing between the two passes runs CoLang code, so the list does not change.
    func joinStrings(_ list: ListObj, separator: StrObj) throws(VMError) -> Value? {
        let n = list.count
        var i = 0
        while i < n {
            if list[i].tag != .string { return nil }
            i += 1
        }
        if n == 1 { return list[0] }
        let separators = separator.utf8Count.multipliedReportingOverflow(by: max(n - 1, 0))
        var bytes = separators.overflow ? Int.max : separators.partialValue
        i = 0
        while i < n {
            try chargeWork()
            // Items of a live list: read without retaining.
            let (sum, overflow) = bytes.addingReportingOverflow(list[i].unretained(StrObj.self) { $0.utf8Count })
            bytes = overflow ? Int.max : sum
            i += 1
        }
        try checkAllocation(bytes: bytes)
        try chargeText(bytes)
        return joined(count: bytes) { base, at in
            separator.withBytes { sep in
                for i in 0..<n {
                    if i > 0 { String.copy(sep, to: base, at: &at, capacity: bytes) }
                    list[i].unretained(StrObj.self) { $0.withBytes { String.copy($0, to: base, at: &at, capacity: bytes) } }
                }
            }
        }
    }

    /// `s.upper()` / `s.lower()`: each code point mapped on its own (as Swift's `uppercased()`
    /// does), a piece at a time; the result is at least as big as `s`, checked as it grows.
    func changeCase(_ s: StrObj, upper: Bool) throws(VMError) -> String {
        try checkAllocation(bytes: s.utf8Count)
        return try s.withBytes { hay throws(VMError) in
            var out = ""
            out.reserveCapacity(hay.count)
            var at = 0
            while at < hay.count {
                var end = min(at + VM.textChunk, hay.count)
                while end < hay.count && hay[end] & 0xC0 == 0x80 { end -= 1 }  // a code point boundary
                let piece = String.fromUTF8(UnsafeBufferPointer(rebasing: hay[at..<end]))
                let mapped = upper ? piece.uppercased() : piece.lowercased()
                let grown = out.utf8.count + mapped.utf8.count + (hay.count - end)
                if grown > hay.count { try checkAllocation(bytes: grown) }
                out += mapped
                try chargeText(2 * (end - at))
                at = end
            }
            return out
        }
    }

    /// `s.trim()`: string `v` without leading and trailing White_Space.
    func trim(_ v: Value) throws(VMError) -> Value {
        try v.asString.withBytes { hay throws(VMError) in
            var start = 0, scanned = 0
            while start < hay.count {
                let (c, n) = decodeUTF8(hay, start)
                if !isWhiteSpace(c) { break }
                start += n
                scanned += n
                if scanned >= VM.textChunk { try chargeText(scanned); scanned = 0 }
            }
            var end = hay.count
            while end > start {
                var lead = end - 1
                while hay[lead] & 0xC0 == 0x80 { lead -= 1 }
                if !isWhiteSpace(decodeUTF8(hay, lead).0) { break }
                scanned += end - lead
                end = lead
                if scanned >= VM.textChunk { try chargeText(scanned); scanned = 0 }
            }
            try chargeText(scanned)
            if start == 0 && end == hay.count { return v }
            try checkAllocation(bytes: end - start)
            try chargeText(end - start)
            return heap.stringValue(bytes: UnsafeBufferPointer(rebasing: hay[start..<end]))
        }
    }
}

// MARK: - Code point positions (len, indexing, slicing, iteration, list(s))

extension VM {
    /// `len(s)`: code points, counted (and charged) once.
    func scalarCount(_ s: StrObj) throws(VMError) -> Int {
        if !s.hasCount { try chargeText(s.utf8Count) }
        return s.count
    }

    /// The byte offset of code point `i` (0...count) of `s`: walked from the start in a short
    /// string, from the checkpoint before it in a long one.
    func byteOffset(_ s: StrObj, _ i: Int) throws(VMError) -> Int {
        let n = try scalarCount(s)
        if s.isASCII || i == 0 { return i }
        if i >= n { return s.utf8Count }
        let from: Int, steps: Int
        if s.isInline {
            from = 0
            steps = i
        } else {
            from = try checkpoints(s)[i / StrObj.checkpointStride]
            steps = i % StrObj.checkpointStride
        }
        // A checkpoint is the start of a code point, so the walk counts from there.
        return s.withBytes { b in from + StrObj.offset(ofCodePoint: steps, in: UnsafeBufferPointer(rebasing: b[from...])) }
    }

    /// The checkpoints of long string `s`, made (and charged) the first time.
    private func checkpoints(_ s: StrObj) throws(VMError) -> UnsafeBufferPointer<Int> {
        if let c = s.checkpoints { return c }
        let c: [Int] = try s.withBytes { b throws(VMError) in
            var c: [Int] = []
            c.reserveCapacity(s.count / StrObj.checkpointStride + 1)
            var scalar = 0, sinceCharge = 0
            for at in 0..<b.count where b[at] & 0xC0 != 0x80 {
                if scalar % StrObj.checkpointStride == 0 {
                    c.append(at)
                    if at - sinceCharge >= VM.textChunk { try chargeText(at - sinceCharge); sinceCharge = at }
                }
                scalar += 1
            }
            try chargeText(b.count - sinceCharge)
            return c
        }
        s.setCheckpoints(c)
        return s.checkpoints.unsafelyUnwrapped
    }

    /// The code points `range` of `s`, as a string.
    func substring(_ s: StrObj, _ range: Range<Int>) throws(VMError) -> Value {
        var start = 0, end = 0
        if !range.isEmpty {
            if try scalarCount(s) == s.utf8Count {  // ASCII: code points are bytes
                start = range.lowerBound
                end = range.upperBound
            } else {
                start = try byteOffset(s, range.lowerBound)
                end = try byteOffset(s, range.upperBound)
            }
        }
        if end - start > 1 {
            // A short piece is no allocation worth refusing (and is mostly interned already).
            if end - start > InternedStrings.maxBytes { try checkAllocation(bytes: end - start) }
            try chargeText(end - start)
        }
        return s.withBytes { b in heap.stringValue(bytes: UnsafeBufferPointer(rebasing: b[start..<end])) }
    }

    /// The code point at byte offset `at` of `s` as a string, and its length in bytes.
    func scalarString(_ s: StrObj, at: Int) -> (Value, Int) {
        s.withBytes { b in
            var end = at + 1
            while end < b.count && b[end] & 0xC0 == 0x80 { end += 1 }
            return (heap.stringValue(bytes: UnsafeBufferPointer(rebasing: b[at..<end])), end - at)
        }
    }

    /// `list(s)`: one string per code point, sized first.
    func scalarStrings(_ s: StrObj) throws(VMError) -> ListObj {
        let n = try scalarCount(s)
        try checkAllocation(bytes: n.multipliedReportingOverflow(by: VM.stringPieceBytes).overflow ? .max : n * VM.stringPieceBytes)
        let out = ListObj(capacity: n)
        var at = 0
        let bytes = s.utf8Count
        while at < bytes {
            try chargeWork()
            let (piece, len) = scalarString(s, at: at)
            out.append(piece)
            at += len
        }
        return out
    }
}

/// The non-overlapping matches of `pin` (not empty) in `hay`, left to right, found with `memchr`
/// and `memcmp`. The bytes skipped and compared (and any the caller adds to `work`) are charged
/// with `chargeText` a window at a time, and by `finish`.
struct Matches {
    let hay: UnsafeBufferPointer<UInt8>, pin: UnsafeBufferPointer<UInt8>
    /// Where the search goes on.
    var at: Int
    /// Bytes not charged yet.
    var work = 0
    private let chunk = VM.textChunk

    init(_ pin: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>, from start: Int = 0) {
        self.hay = hay; self.pin = pin; self.at = start
    }

    /// The offset of the next match, or nil.
    mutating func next(_ vm: VM) throws(VMError) -> Int? {
        let m = pin.count
        guard m > 0, hay.count >= m, let h = hay.baseAddress, let p = pin.baseAddress else { return nil }
        let lastStart = hay.count - m  // the last offset a match can start at
        if m == 1 {
            // One byte (`split(" ")`, `split(",")`): words are short, so look at the next few
            // bytes here before paying for a `memchr` call (bench/words). Charged as the loop
            // below charges, so that a search of many short matches is charged as it goes.
            if work >= chunk { try vm.chargeText(work); work = 0 }
            let byte = p.pointee, end = min(lastStart, at + 15)
            var i = at
            while i <= end {
                if h[i] == byte {
                    work += i - at + 1
                    at = i + 1
                    return i
                }
                i += 1
            }
            work += i - at
            at = i
        }
        let first = Int32(p.pointee)
        while at <= lastStart {
            if work >= chunk { try vm.chargeText(work); work = 0 }
            let window = min(lastStart - at + 1, chunk)
            guard let found = memchr(h + at, first, window) else {
                work += window
                at += window
                continue
            }
            // `memchr` returns a pointer into `h`'s bytes, which are bound to UInt8.
            let offset = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - h
            work += offset - at + m
            if m == 1 || memcmp(h + offset + 1, p + 1, m - 1) == 0 {
                at = offset + m
                return offset
            }
            at = offset + 1
        }
        return nil
    }

    /// The offset of the next match, not charged: for a second pass over matches that a first
    /// pass with `next` found and charged. Finds the same matches as `next`.
    mutating func nextUncharged() -> Int? {
        let m = pin.count
        guard m > 0, hay.count >= m, let h = hay.baseAddress, let p = pin.baseAddress else { return nil }
        let lastStart = hay.count - m
        let first = Int32(p.pointee)
        while at <= lastStart {
            guard let found = memchr(h + at, first, lastStart - at + 1) else {
                at = lastStart + 1
                return nil
            }
            // `memchr` returns a pointer into `h`'s bytes, which are bound to UInt8.
            let offset = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - h
            if m == 1 || memcmp(h + offset + 1, p + 1, m - 1) == 0 {
                at = offset + m
                return offset
            }
            at = offset + 1
        }
        return nil
    }

    mutating func finish(_ vm: VM) throws(VMError) {
        try vm.chargeText(work)
        work = 0
    }
}
