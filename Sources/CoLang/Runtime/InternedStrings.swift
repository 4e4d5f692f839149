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
/// A slot is the string's address with the top 16 bits of its hash in the address's unused top
/// 16 bits (x86-64 and AArch64 user addresses fit in 48 bits; `tagged` checks it), so a probe
/// that passes other strings reads only the table, not their objects: a program that makes
/// many distinct strings (bench/strings) missed the cache on every object it passed. A tag
/// match is confirmed by the cached hash (`StrObj.hashCache`, filled here) and the bytes.
final class InternedStrings {
    /// Longer strings are not interned (Lua's limit): hashing and comparing them costs more
    /// than it saves, and long strings are rarely made twice.
    static let maxBytes = 40
    /// Slots of a new or purged-to-empty table.
    static let minimumCapacity = 1024

    /// Unretained `StrObj` addresses tagged with their hash's top 16 bits, or 0.
    private var slots: UnsafeMutablePointer<UInt>
    private var mask: Int
    private(set) var count = 0

    init() {
        slots = InternedStrings.allocate(InternedStrings.minimumCapacity)
        mask = InternedStrings.minimumCapacity - 1
    }
    deinit { slots.deallocate() }

    var capacity: Int { mask + 1 }
    /// Bytes of the table itself, for the heap's live-byte estimate.
    var bytes: Int { capacity * MemoryLayout<UInt>.stride }

    private static func allocate(_ n: Int) -> UnsafeMutablePointer<UInt> {
        let p = UnsafeMutablePointer<UInt>.allocate(capacity: n)
        p.initialize(repeating: 0, count: n)
        return p
    }

    private static let addressBits: UInt = (1 << 48) - 1
    @inline(__always) private static func tag(_ hash: UInt64) -> UInt { UInt(truncatingIfNeeded: hash >> 48) << 48 }
    /// The slot for `s`, whose hash is `hash`.
    @inline(__always) private static func tagged(_ s: StrObj, _ hash: UInt64) -> UInt {
        let address = UInt(bitPattern: Unmanaged.passUnretained(s).toOpaque())
        precondition(address & ~addressBits == 0, "a heap address above 2^48")
        return address | tag(hash)
    }
    /// The string in a nonzero slot, unretained.
    @inline(__always) private static func string(_ slot: UInt) -> Unmanaged<StrObj> {
        Unmanaged.fromOpaque(UnsafeRawPointer(bitPattern: slot & addressBits).unsafelyUnwrapped)
    }

    /// The interned string whose UTF-8 is `bytes` (whose hash is `hash`), if any, unretained:
    /// the heap owns it until the next collection.
    @inline(__always) func find(bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Unmanaged<StrObj>? {
        let tag = InternedStrings.tag(hash)
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            if slot & ~InternedStrings.addressBits == tag {
                // Unretained: the heap owns every string in the table (see the type's comment).
                let s = InternedStrings.string(slot)
                let same = s._withUnsafeGuaranteedRef { s in
                    s.hashCache == hash && s.withBytes { InternedStrings.same($0, bytes) }
                }
                if same { return s }
            }
            i = (i &+ 1) & mask
        }
    }

    /// The same bytes (short ones: a loop, not a call to memcmp).
    @inline(__always) private static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if a.count != b.count { return false }
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }

    /// Adds `s`, whose `hashCache` is set and whose bytes `find` did not find.
    func insert(_ s: StrObj) {
        assert(s.hashCache != 0 && s.utf8Count <= InternedStrings.maxBytes)
        if (count &+ 1) &* 2 > capacity { rehash(capacity: capacity * 2) }
        place(InternedStrings.tagged(s, s.hashCache), hash: s.hashCache)
        count &+= 1
    }

    /// Puts `slot` in the first free slot of its probe sequence.
    @inline(__always) private func place(_ slot: UInt, hash: UInt64) {
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 { i = (i &+ 1) & mask }
        slots[i] = slot
    }

    /// Moves the strings that `keep` accepts into a table of `capacity` slots.
    private func rehash(capacity newCapacity: Int, keep: (StrObj) -> Bool = { _ in true }) {
        let old = slots
        let oldCapacity = capacity
        slots = InternedStrings.allocate(newCapacity)
        mask = newCapacity - 1
        count = 0
        for i in 0..<oldCapacity where old[i] != 0 {
            let slot = old[i]
            let (kept, hash) = InternedStrings.string(slot)._withUnsafeGuaranteedRef { (keep($0), $0.hashCache) }
            if kept {
                place(slot, hash: hash)
                count &+= 1
            }
        }
        old.deallocate()
    }

    /// Forgets every string the collector did not mark; called between marking and sweeping.
    /// The table then shrinks to fit what it held before this purge (at most half full, at
    /// least `minimumCapacity`), which reads only the survivors again: a program that makes as
    /// many new strings until the next collection needs that room again. Shrinking to fit
    /// only the survivors made it grow back by doubling every time, one rehash per doubling:
    /// 5% of bench/strings, which makes 100,000 strings between collections and keeps a few.
    /// A table that held fewer strings this time shrinks to them.
    func purge() {
        let held = count
        rehash(capacity: capacity) { $0.marked }
        var fit = InternedStrings.minimumCapacity
        while fit < held * 2 { fit *= 2 }
        if fit < capacity { rehash(capacity: fit) }
    }
}
