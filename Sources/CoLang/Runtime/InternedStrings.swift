// Short strings are interned: one `StrObj` per distinct content of at most `maxBytes` bytes.

/// The heap's table of short strings (issue 17), as Lua keeps its short strings: making a short
/// string first looks for one with the same bytes and returns it, so a program that splits a
/// text into three million words holds one object per distinct word, not per word, and a map
/// keyed by those words finds its keys by address (`MapObj.sameKey` compares addresses first).
/// Strings are immutable and compared by content, so nothing a program can do tells an
/// interned string from a fresh one.
///
/// The table holds its strings unretained: `Heap.objects` owns them. A collection calls `purge`
/// after marking and before the sweep frees anything, so the table never holds a freed string.
/// Between collections it may hold garbage, which `find` can hand out again: that is safe,
/// because the object is not freed before the next collection, which marks it if it is used.
///
/// Open addressing with linear probing over a power-of-two array of slots, at most half full.
/// The probe compares the cached hash (`StrObj.hashCache`, filled here) before the bytes.
final class InternedStrings {
    /// Longer strings are not interned (Lua's limit): hashing and comparing them costs more
    /// than it saves, and long strings are rarely made twice.
    static let maxBytes = 40
    /// Slots of a new or purged-to-empty table.
    static let minimumCapacity = 1024

    /// Unretained `StrObj` references, or nil.
    private var slots: UnsafeMutablePointer<UnsafeRawPointer?>
    private var mask: Int
    private(set) var count = 0

    init() {
        slots = InternedStrings.allocate(InternedStrings.minimumCapacity)
        mask = InternedStrings.minimumCapacity - 1
    }
    deinit { slots.deallocate() }

    var capacity: Int { mask + 1 }
    /// Bytes of the table itself, for the heap's live-byte estimate.
    var bytes: Int { capacity * MemoryLayout<UnsafeRawPointer?>.stride }

    private static func allocate(_ n: Int) -> UnsafeMutablePointer<UnsafeRawPointer?> {
        let p = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: n)
        p.initialize(repeating: nil, count: n)
        return p
    }

    /// The string whose UTF-8 bytes are `bytes` (hash `hash`, `MapHash.bytes`), if interned.
    @inline(__always) func find(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> StrObj? {
        var i = Int(truncatingIfNeeded: hash) & mask
        while let raw = slots[i] {
            // Unretained: the heap owns every string in the table (see the type's comment).
            let same = Unmanaged<StrObj>.fromOpaque(raw)._withUnsafeGuaranteedRef { s in
                s.hashCache == hash && s.value.withBytes { InternedStrings.equal($0, bytes) }
            }
            if same { return Unmanaged<StrObj>.fromOpaque(raw).takeUnretainedValue() }
            i = (i &+ 1) & mask
        }
        return nil
    }

    @inline(__always) private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = a.count
        if n != b.count { return false }
        for i in 0..<n where a[i] != b[i] { return false }
        return true
    }

    /// Adds `s`, whose `hashCache` is set and whose bytes `find` did not find.
    func insert(_ s: StrObj) {
        assert(s.hashCache != 0 && s.value.utf8.count <= InternedStrings.maxBytes)
        if (count &+ 1) &* 2 > capacity { rehash(capacity: capacity * 2) }
        place(Unmanaged.passUnretained(s).toOpaque())
        count &+= 1
    }

    /// Puts `raw` in the first free slot of its probe sequence.
    private func place(_ raw: UnsafeRawPointer) {
        let hash = Unmanaged<StrObj>.fromOpaque(raw)._withUnsafeGuaranteedRef { $0.hashCache }
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != nil { i = (i &+ 1) & mask }
        slots[i] = raw
    }

    /// Moves the strings that `keep` accepts into a table of `capacity` slots.
    private func rehash(capacity newCapacity: Int, keep: (StrObj) -> Bool = { _ in true }) {
        let old = slots
        let oldCapacity = capacity
        slots = InternedStrings.allocate(newCapacity)
        mask = newCapacity - 1
        count = 0
        for i in 0..<oldCapacity {
            guard let raw = old[i] else { continue }
            if Unmanaged<StrObj>.fromOpaque(raw)._withUnsafeGuaranteedRef(keep) {
                place(raw)
                count &+= 1
            }
        }
        old.deallocate()
    }

    /// Forgets every string the collector did not mark; called between marking and sweeping.
    /// The table shrinks to fit the survivors (at most half full, at least `minimumCapacity`).
    func purge() {
        var live = 0
        for i in 0..<capacity {
            if let raw = slots[i], Unmanaged<StrObj>.fromOpaque(raw)._withUnsafeGuaranteedRef({ $0.marked }) { live &+= 1 }
        }
        var newCapacity = InternedStrings.minimumCapacity
        while newCapacity < live * 2 { newCapacity *= 2 }
        rehash(capacity: newCapacity) { $0.marked }
    }
}
