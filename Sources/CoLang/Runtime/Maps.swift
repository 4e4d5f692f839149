// Maps: an insertion-ordered hash table of plain values, with the hashes of string keys cached
// on the strings themselves (issue 17).
//
// Why not swift-collections' `OrderedDictionary`, which maps used before: its keys had to be a
// `Hashable` Swift type, so every lookup first built a key (`MapKey`, copying the string's bytes,
// and retaining a `String` for long ones) and then ran SipHash over it through `Hasher`. In
// bench/words that was half the time of counting the words. Here an entry holds the key *value*
// itself (a plain 16-byte `Value`: no reference counting), a string's hash is computed once per
// string object and kept on it, and a lookup compares cached 64-bit hashes before any bytes.
import Glibc

/// One entry of a map: the key as first inserted, its value and the key's hash.
struct MapEntry {
    var key: Value
    var value: Value
    var hash: UInt64
}

/// The hashes of map keys. Equal keys (see `MapObj.sameKey`) hash alike: an int and a float
/// holding the same integer, two strings with the same code points (so the same UTF-8 bytes).
/// Never 0, so a string can use 0 for "not computed yet".
///
/// The functions are fixed, not seeded per process: a map's order is its insertion order, so
/// hashes are never visible, and the worst a program choosing colliding keys can do is slow
/// itself down (a CoLang program has no untrusted peers whose keys it must hash, except through
/// sockets, and there a script's author decides what goes into a map).
enum MapHash {
    /// splitmix64's finaliser: every input bit moves every output bit, so the low bits that
    /// index the table are good even for sequential ints.
    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (z ^ (z >> 31)) | 1
    }
    @inline(__always) static func int(_ i: Int64) -> UInt64 { mix(UInt64(bitPattern: i)) }
    static func float(_ d: Double) -> UInt64 {
        if let i = Int64(exactly: d) { return int(i) }
        return mix(d.bitPattern ^ 0x5851_F42D_4C95_7F2D)
    }
    static func bool(_ b: Bool) -> UInt64 { mix(b ? 0x2545_F491_4F6C_DD1D : 0x2545_F491_4F6C_DD1C) }
    /// The hash of UTF-8 bytes: eight at a time (FxHash's step), then `mix`. The last few bytes
    /// are not gathered one at a time (words are short: that loop was half of hashing one):
    /// past 8 bytes the last step reads the last 8, overlapping the one before; 4 to 7 bytes
    /// are two overlapping 4-byte reads, 1 to 3 the first, middle and last byte. Each way reads
    /// every byte, so with the length (the seed) distinct bytes make distinct words to mix.
    static func bytes(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = b.count
        var h = UInt64(n) &* 0x517C_C1B7_2722_0A95
        guard n > 0, let p = b.baseAddress else { return mix(h) }
        @inline(__always) func step(_ w: UInt64) {
            h = ((h << 5) | (h >> 59)) ^ w
            h = h &* 0x517C_C1B7_2722_0A95
        }
        let raw = UnsafeRawPointer(p)
        if n >= 8 {
            var i = 0
            while i &+ 8 <= n {
                step(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i &+= 8
            }
            if i < n { step(raw.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)) }
        } else if n >= 4 {
            let low = UInt64(raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let high = UInt64(raw.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self))
            step(low | high << 32)
        } else {
            step(UInt64(p[0]) | UInt64(p[n >> 1]) << 8 | UInt64(p[n &- 1]) << 16)
        }
        return mix(h)
    }
}

/// An insertion-ordered map. Entries live in one buffer in insertion order, with no holes; a map
/// of more than `linearLimit` entries also has an open-addressing table (linear probing) of entry
/// numbers, at most half full. Smaller maps (objects with a few fields) are scanned, comparing
/// cached hashes: faster than probing for a handful of entries.
///
/// Sound: `entries` holds `capacity` slots of which the first `count` are initialised (plain
/// values: nothing to deinitialise), `table` holds `tableMask + 1` slots, every one either 0
/// (empty) or an entry number + 1 below `count` + 1. Both are owned here and freed in `deinit`;
/// `entryList` is a view that the next insertion or removal may invalidate, so callers never keep
/// it across code that can change the map.
final class MapObj: Obj {
    private var entries: UnsafeMutablePointer<MapEntry>?
    private(set) var count = 0
    private var capacity = 0
    private var table: UnsafeMutablePointer<Int32>?
    private var tableMask = 0
    /// The most entries a map has without a table.
    static let linearLimit = 8

    override init() {}

    /// An empty map with room for `capacity` entries (a map literal's size).
    init(capacity: Int) {
        if capacity > 0 {
            entries = .allocate(capacity: capacity)
            self.capacity = capacity
        }
    }

    deinit {
        entries?.deallocate()
        table?.deallocate()
    }

    /// The entries in insertion order: valid until the map next changes.
    var entryList: UnsafeBufferPointer<MapEntry> { UnsafeBufferPointer(start: entries, count: count) }

    /// Entry `i` (below `count`).
    @inline(__always) func entry(_ i: Int) -> MapEntry {
        assert(i >= 0 && i < count, "map entry out of range")
        return entries.unsafelyUnwrapped[i]
    }

    /// Whether two keys are one key: the same int, bool, float or object, an int and a float of
    /// the same value (`m[1]` and `m[1.0]`), or two strings of the same code points. Called by
    /// `find` only for an entry whose hash equals the key's.
    @inline(__always) static func sameKey(_ a: Value, _ b: Value) -> Bool {
        if a.tag == b.tag && a.bits == b.bits { return true }
        return sameKeySlowly(a, b)
    }

    @inline(never) private static func sameKeySlowly(_ a: Value, _ b: Value) -> Bool {
        switch (a.tag, b.tag) {
        case (.string, .string):
            // Unretained: both are keys in use, on a stack or in a live map.
            return a.unretained(StrObj.self) { x in b.unretained(StrObj.self) { y in StrObj.sameText(x, y) } }
        case (.int, .float), (.float, .int), (.float, .float):
            return numberKey(a) == numberKey(b)
        default:
            return false
        }
    }

    /// A number as a key: integral floats are ints (`0.0` and `-0.0` are `0`); others by bits.
    private static func numberKey(_ v: Value) -> (isInt: Bool, bits: UInt64) {
        if v.tag == .int { return (true, v.bits) }
        if let i = Int64(exactly: v.asFloat) { return (true, UInt64(bitPattern: i)) }
        return (false, v.bits)
    }

    /// The number of the entry whose key is `key` (of hash `hash`), if any.
    @inline(__always) func find(_ key: Value, hash: UInt64) -> Int? {
        guard let entries else { return nil }
        if let table {
            var slot = Int(truncatingIfNeeded: hash) & tableMask
            while true {
                let n = Int(table[slot])
                if n == 0 { return nil }
                let e = entries + (n &- 1)
                if e.pointee.hash == hash && MapObj.sameKey(e.pointee.key, key) { return n &- 1 }
                slot = (slot &+ 1) & tableMask
            }
        }
        var i = 0
        while i < count {
            let e = entries + i
            if e.pointee.hash == hash && MapObj.sameKey(e.pointee.key, key) { return i }
            i &+= 1
        }
        return nil
    }

    /// The value under `key`, if any.
    @inline(__always) func value(for key: Value, hash: UInt64) -> Value? {
        guard let i = find(key, hash: hash) else { return nil }
        return entries.unsafelyUnwrapped[i].value
    }

    /// The entry `hint` names, if its key is the very object `name` (a string constant: see
    /// `FunctionProto.fieldHints`).
    @inline(__always) func hinted(_ name: Value, _ hint: UnsafeMutablePointer<Int32>) -> UnsafeMutablePointer<MapEntry>? {
        let h = Int(hint.pointee)
        guard h < count, let e = entries.map({ $0 + h }), e.pointee.key.bits == name.bits && e.pointee.key.tag == .string else {
            return nil
        }
        return e
    }

    /// `m.name` for the string constant `name`: first at the entry `hint` names, where the same
    /// constant was found last time, then by hash (and the hint updated).
    @inline(__always) func field(_ name: Value, hint: UnsafeMutablePointer<Int32>) -> Value? {
        if let e = hinted(name, hint) { return e.pointee.value }
        guard let i = find(name, hash: name.unretained(StrObj.self) { $0.hashCode }) else { return nil }
        hint.pointee = Int32(truncatingIfNeeded: i)
        return entries.unsafelyUnwrapped[i].value
    }

    /// `m.name = v` for the string constant `name` (see `field`); whether the key was new.
    @inline(__always) func setField(_ name: Value, hint: UnsafeMutablePointer<Int32>, _ v: Value) -> Bool {
        if let e = hinted(name, hint) {
            e.pointee.value = v
            return false
        }
        let hash = name.unretained(StrObj.self) { $0.hashCode }
        if let i = find(name, hash: hash) {
            hint.pointee = Int32(truncatingIfNeeded: i)
            entries.unsafelyUnwrapped[i].value = v
            return false
        }
        append(MapEntry(key: name, value: v, hash: hash))
        hint.pointee = Int32(truncatingIfNeeded: count - 1)
        return true
    }

    /// Sets `key` to `v`; a new key goes last. Returns whether the key was new.
    @discardableResult
    func set(_ key: Value, hash: UInt64, _ v: Value) -> Bool {
        if let i = find(key, hash: hash) {
            entries.unsafelyUnwrapped[i].value = v
            return false
        }
        append(MapEntry(key: key, value: v, hash: hash))
        return true
    }

    /// Adds an entry whose key is not in the map.
    func append(_ e: MapEntry) {
        assert(find(e.key, hash: e.hash) == nil, "appending a key the map holds")
        if count == capacity { grow() }
        let p = entries.unsafelyUnwrapped
        (p + count).initialize(to: e)
        count &+= 1
        if let table {
            insertIntoTable(table, entry: count &- 1, hash: e.hash)
        } else if count > MapObj.linearLimit {
            rebuildTable()
        }
    }

    /// Removes `key`; returns its value, or nil when it was not there. Later entries move down
    /// one place (removal is linear, as it was with `OrderedDictionary`).
    func remove(_ key: Value, hash: UInt64) -> Value? {
        guard let i = find(key, hash: hash) else { return nil }
        let p = entries.unsafelyUnwrapped
        let v = p[i].value
        // Plain values: moving them down is a memmove.
        memmove(p + i, p + i + 1, (count - i - 1) * MemoryLayout<MapEntry>.stride)
        count -= 1
        if table != nil { rebuildTable() }
        return v
    }

    private func grow() {
        let newCapacity = max(4, capacity * 2)
        let p = UnsafeMutablePointer<MapEntry>.allocate(capacity: newCapacity)
        if let old = entries {
            p.moveInitialize(from: old, count: count)
            old.deallocate()
        }
        entries = p
        capacity = newCapacity
        if table != nil { rebuildTable() }
    }

    /// Makes the table anew for `capacity` entries: twice as many slots, a power of two.
    private func rebuildTable() {
        if count <= MapObj.linearLimit {
            table?.deallocate()
            table = nil
            tableMask = 0
            return
        }
        var size = 16
        while size < capacity * 2 { size *= 2 }
        if size != tableMask + 1 || table == nil {
            table?.deallocate()
            table = .allocate(capacity: size)
            tableMask = size - 1
        }
        let t = table.unsafelyUnwrapped
        t.initialize(repeating: 0, count: size)
        let p = entries.unsafelyUnwrapped
        for i in 0..<count { insertIntoTable(t, entry: i, hash: p[i].hash) }
    }

    @inline(__always) private func insertIntoTable(_ t: UnsafeMutablePointer<Int32>, entry: Int, hash: UInt64) {
        assert(count * 2 <= tableMask + 1, "map table over half full")
        var slot = Int(truncatingIfNeeded: hash) & tableMask
        while t[slot] != 0 { slot = (slot &+ 1) & tableMask }
        t[slot] = Int32(truncatingIfNeeded: entry &+ 1)
    }

    override func trace(_ gc: Collector) {
        for e in entryList {
            gc.mark(e.key)
            gc.mark(e.value)
        }
    }
    /// The object, its entry buffer (40 bytes an entry) and its table (4 bytes a slot).
    override var estimatedSize: Int { 96 + capacity * MemoryLayout<MapEntry>.stride + (table == nil ? 0 : (tableMask + 1) * 4) }
}

extension StrObj {
    /// The hash of its code points as a map key (`MapHash.bytes`), computed once.
    @inline(__always) var hashCode: UInt64 {
        if hashCache != 0 { return hashCache }
        return computeHash()
    }
    @inline(never) private func computeHash() -> UInt64 {
        let h = withBytes { MapHash.bytes($0) }
        hashCache = h
        return h
    }
}
