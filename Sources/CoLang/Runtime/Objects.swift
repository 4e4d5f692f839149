// Heap object types (strings, lists, maps, ranges, functions, errors, iterators).
import CoLangSyntax
import Glibc

/// Base of every heap object. Objects are owned by the `Heap` and found by the collector.
class Obj {
    var marked = false
    /// Set while the printer is inside this list or map, so a cycle prints as `[...]` (it shares
    /// the padding after `marked`: no extra bytes).
    var beingPrinted = false
    /// Pushes the values this object references onto the collector's gray stack.
    func trace(_ gc: Collector) {}
    /// Bytes held, for `--max-memory`, the default memory guard and collection pacing. The
    /// overrides are calibrated against the real memory (resident set size) of 200,000 objects
    /// of each kind, malloc's rounding and the Swift object headers included (bench/README.md,
    /// "Memory estimates"): within about 10%, so a guard at half the RAM holds.
    var estimatedSize: Int { 64 }
}

/// An immutable string: a sequence of code points, held as its UTF-8 bytes (valid UTF-8, which
/// is what every way of making one guarantees: literals, slices cut at code point boundaries,
/// joins of strings, and text decoded from files and sockets). Indexing a string that is not
/// ASCII goes through checkpoints, made when first needed (see `VM.byteOffset`).
///
/// Not a Swift `String` (issue 17, ninth session): making one validated its bytes and allocated
/// a storage object of its own past 15 bytes, reading its bytes (`utf8.count`,
/// `withContiguousStorageIfAvailable`) cost tens of instructions each time for a small one, and
/// freeing it was a second release; together about a fifth of bench/strings. `value` still
/// makes a `String` for the cold paths (messages, files, sockets).
///
/// Memory: programs hold millions of these (bench/words), so the object is 56 bytes, a 64-byte
/// malloc chunk (`StringLayoutTests`): the code point count is stored in 32 bits first, where it
/// fills the padding after `Obj`'s two flags (Swift lays out stored properties in declaration
/// order). Up to `inlineBytes` bytes live in the object (`storage`); a longer string keeps the
/// address of its own block of bytes in `storage`'s first 8 bytes and the address of its
/// checkpoints (0 until made) in the last 8.
///
/// Invariants: `utf8Count` and the bytes never change after `init` (or `refill`, which makes a
/// dead short string, kept by the heap as a spare, a new one); when `utf8Count >
/// inlineBytes` the two addresses in `storage` are blocks this object allocated and frees in
/// `deinit`, never shared. The address of `storage` is fixed for the object's life (a class
/// instance's stored properties never move, as for `ListObj.inline`), so a pointer to the bytes
/// is valid while the object is: `withBytes` hands it out for the length of a call only.
final class StrObj: Obj {
    /// In the heap's interned table (`Heap.stringValue`): the one live string with its bytes.
    /// Strings of at most `InternedStrings.maxBytes` bytes mostly are; `+` and `str` leave theirs
    /// out while interning does not find existing ones (`Heap.producedStringValue`).
    var isInterned = false
    /// `count` once known and below 2^31, else -1 (a longer string counts again each time).
    private var countCache: Int32 = -1
    /// Bytes of UTF-8.
    private(set) var utf8Count: Int
    /// `hashCode` once computed (Maps.swift), else 0.
    var hashCache: UInt64 = 0
    /// The bytes, or the addresses of the bytes and the checkpoints (see the type's comment).
    private var storage:
        (
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
        ) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// Strings of at most this many bytes hold them in the object.
    static let inlineBytes = 16
    static let checkpointStride = 64

    /// A string of a copy of `bytes` (valid UTF-8).
    init(copying bytes: UnsafeBufferPointer<UInt8>) {
        utf8Count = bytes.count
        super.init()
        let to = prepare()
        if bytes.count > 0 { to.update(from: bytes.baseAddress.unsafelyUnwrapped, count: bytes.count) }
    }
    /// Makes this dead string (`Heap.spareStrings`: unmarked, unreachable, out of the interned
    /// table, its bytes in the object) the new string of a copy of `bytes`, at most
    /// `inlineBytes` of them (valid UTF-8).
    func refill(copying bytes: UnsafeBufferPointer<UInt8>) {
        precondition(isInline && bytes.count <= StrObj.inlineBytes, "refilling a string that is not a short one")
        assert(!marked, "refilling a live string")
        utf8Count = bytes.count
        countCache = -1
        hashCache = 0
        isInterned = false
        if bytes.count > 0 {
            storageAddress.assumingMemoryBound(to: UInt8.self).update(from: bytes.baseAddress.unsafelyUnwrapped, count: bytes.count)
        }
    }
    /// Its bytes are in the object (`storage`), not in a block of their own.
    var isInline: Bool { utf8Count <= StrObj.inlineBytes }
    /// A string of `count` bytes that `write` writes, all of them (valid UTF-8), given where they
    /// go; it returns how many it wrote, which must be `count` (checked in release builds too).
    init(count: Int, writing write: (UnsafeMutablePointer<UInt8>) -> Int) {
        utf8Count = count
        super.init()
        let written = write(prepare())
        precondition(written == count, "a string was built with fewer or more bytes than it holds")
    }
    /// A string of the UTF-8 of `value`.
    convenience init(_ value: String) {
        self.init(count: value.utf8.count) { to in
            value.withBytes { b in
                if b.count > 0 { to.update(from: b.baseAddress.unsafelyUnwrapped, count: b.count) }
                return b.count
            }
        }
    }
    deinit {
        if !isInline {
            UnsafeMutablePointer<UInt8>(bitPattern: storageWord(0))?.deallocate()
            UnsafeMutablePointer<Int>(bitPattern: storageWord(1))?.deallocate()
        }
    }

    /// The address of `storage` (see the type's comment: it stays where it is).
    @inline(__always) private var storageAddress: UnsafeMutableRawPointer {
        withUnsafeMutablePointer(to: &storage) { UnsafeMutableRawPointer($0) }
    }
    @inline(__always) private func storageWord(_ i: Int) -> UInt {
        storageAddress.loadUnaligned(fromByteOffset: i &* 8, as: UInt.self)
    }
    /// Where `init` writes the bytes: `storage`, or a new block for a long string.
    private func prepare() -> UnsafeMutablePointer<UInt8> {
        if isInline { return storageAddress.assumingMemoryBound(to: UInt8.self) }
        let block = UnsafeMutablePointer<UInt8>.allocate(capacity: utf8Count)
        storageAddress.storeBytes(of: UInt(bitPattern: block), toByteOffset: 0, as: UInt.self)
        return block
    }
    /// The first byte (valid while the object is; see the type's comment).
    @inline(__always) private var start: UnsafePointer<UInt8> {
        if isInline { return UnsafePointer(storageAddress.assumingMemoryBound(to: UInt8.self)) }
        return UnsafePointer(bitPattern: storageWord(0)).unsafelyUnwrapped
    }
    /// `body` with the UTF-8 bytes, which it must not keep.
    @inline(__always)
    func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: start, count: utf8Count))
    }
    /// The text as a Swift `String` (made each time: for messages, files and sockets).
    var value: String { withBytes { String.fromUTF8($0) } }

    var hasCount: Bool { countCache >= 0 }
    /// Code points.
    var count: Int {
        if countCache >= 0 { return Int(countCache) }
        let n = withBytes { StrObj.codePoints(in: $0) }
        assert(n == value.unicodeScalars.count, "code point count")
        if let small = Int32(exactly: n) { countCache = small }
        return n
    }

    /// The byte offset of every `checkpointStride`-th code point (`(count + 63) / 64` of them),
    /// once made by `setCheckpoints`; only long strings have them (a short one is walked).
    var checkpoints: UnsafeBufferPointer<Int>? {
        if isInline { return nil }
        let address = storageWord(1)
        if address == 0 { return nil }
        return UnsafeBufferPointer(start: UnsafePointer(bitPattern: address), count: checkpointCount)
    }
    private var checkpointCount: Int { (count + StrObj.checkpointStride - 1) / StrObj.checkpointStride }
    /// Keeps `offsets` (`checkpointCount` of them) as the checkpoints of this long string.
    func setCheckpoints(_ offsets: [Int]) {
        precondition(!isInline && storageWord(1) == 0 && offsets.count == checkpointCount)
        let block = UnsafeMutablePointer<Int>.allocate(capacity: offsets.count)
        offsets.withUnsafeBufferPointer { block.initialize(from: $0.baseAddress.unsafelyUnwrapped, count: $0.count) }
        storageAddress.storeBytes(of: UInt(bitPattern: block), toByteOffset: 8, as: UInt.self)
    }

    /// The code points of valid UTF-8 `b`: every code point has exactly one byte that is not a
    /// continuation byte (10xxxxxx), so it is the bytes less the continuation bytes, counted
    /// eight at a time (a byte is one when its top bit is set and the next is clear).
    static func codePoints(in b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = b.count
        guard n > 0, let p = b.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(p)
        var continuations = 0
        var i = 0
        while i &+ 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            continuations &+= (w & ~(w << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
            i &+= 8
        }
        while i < n {
            if p[i] & 0xC0 == 0x80 { continuations &+= 1 }
            i &+= 1
        }
        return n - continuations
    }
    /// The byte offset of code point `n` of valid UTF-8 `b` (its length if it has at most `n`).
    static func offset(ofCodePoint n: Int, in b: UnsafeBufferPointer<UInt8>) -> Int {
        var at = 0, seen = 0
        while at < b.count {
            if b[at] & 0xC0 != 0x80 {
                if seen == n { return at }
                seen += 1
            }
            at += 1
        }
        return at
    }
    /// Whether two different string objects (live, made by the heap) hold the same code points.
    /// An interned string is the one live object with its bytes (`Heap.stringValue`), so two
    /// interned ones never have the same text, and only strings of which one is not interned
    /// are compared byte by byte (issue 17: `cmd == "quit"` compared the bytes of two strings
    /// made through the same table).
    static func sameText(_ x: StrObj, _ y: StrObj) -> Bool {
        if x.isInterned && y.isInterned {
            assert(!x.sameBytes(y), "two interned strings with the same code points")
            return false
        }
        return x.sameBytes(y)
    }
    /// The same code points: the same bytes.
    func sameBytes(_ other: StrObj) -> Bool {
        if utf8Count != other.utf8Count { return false }
        return withBytes { a in other.withBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }
    /// -1, 0 or 1: lexicographic by code point (a prefix comes first), which is UTF-8's byte order.
    func compare(_ other: StrObj) -> Int {
        withBytes { a in
            other.withBytes { b in
                let n = min(a.count, b.count)
                let c = n == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, n)
                if c != 0 { return c < 0 ? -1 : 1 }
                return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
            }
        }
    }

    /// Every code point is one byte (once `count` is known).
    var isASCII: Bool { count == utf8Count }
    /// The object (a 64-byte chunk, with the Swift object header) and a long string's own
    /// block of bytes and checkpoints.
    override var estimatedSize: Int {
        if isInline { return StrObj.inlineEstimatedSize }
        let checkpoints = storageWord(1) == 0 ? 0 : 16 + checkpointCount * 8
        return 96 + ((utf8Count + 15) & ~15) + checkpoints
    }
    static let inlineEstimatedSize = 80
}

/// A mutable list: `count` values in a buffer the list owns.
///
/// Not a `ContiguousArray` (issue 17, third round): that buffer is a Swift object of its own,
/// and making and freeing one cost ~400 instructions per list on top of the list's own, 40% of
/// bench/trees, which makes millions of two-item lists. This buffer is plain allocated memory.
///
/// Nor a separate buffer for a small list (issue 17, fourth round): the first two items live in
/// the object (`inline`), so a pair is one allocation, not two. Malloc and free of the pair's
/// buffer were ~210 instructions of bench/trees' ~1,400 per pair, and the second chunk lay apart
/// from the first, a second cache line for each node a program walks.
///
/// Invariants: `base` holds `capacity` values, the first `count` initialized (`Value` is a
/// trivial type: copying one counts nothing, and none needs deinitializing); `base` is never
/// nil after `init`. Either `capacity == inlineCapacity` and `base` is the address of `inline`
/// (a stored property of this instance, which never moves: its address is fixed for the
/// object's life, and `deinit` frees nothing), or `capacity > inlineCapacity` (`grow` at least
/// doubles) and `base` is a malloc block this list owns. Only this class's methods write
/// `base`, `count` and `capacity`; every access by index checks it against `count` in release
/// builds too. Code outside reads items by index (`list[i]` against the current `count`) or
/// copies them (`items`), never keeps a pointer into the buffer, which moves when the list grows.
final class ListObj: Obj {
    private var base: UnsafeMutablePointer<Value>?
    private(set) var count = 0
    private(set) var capacity = ListObj.inlineCapacity
    /// The items of a list of at most `inlineCapacity`; unused once it grows past that.
    private var inline: (Value, Value) = (.nil, .nil)
    static let inlineCapacity = 2

    /// The address of `inline`. A class instance's stored properties stay where they are for
    /// its whole life, so the address stays valid while the list does (checked in debug builds
    /// and by `ListLayoutTests`: it lies inside the object and is the same each time).
    @inline(__always) var inlineItems: UnsafeMutablePointer<Value> {
        withUnsafeMutablePointer(to: &inline) { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Value.self) }
    }
    /// Items live in the object (see `inline`).
    var isInline: Bool { capacity == ListObj.inlineCapacity }
    /// Where the items are now (for `ListLayoutTests`; nothing else keeps it: it moves as the list grows).
    var itemsAddress: UnsafeMutableRawPointer { UnsafeMutableRawPointer(base.unsafelyUnwrapped) }

    init(copying items: UnsafeBufferPointer<Value>) {
        super.init()
        base = inlineItems
        if items.count <= ListObj.inlineCapacity {
            refill(copying: items)  // without memmove (see there)
        } else {
            append(contentsOf: items)
        }
    }
    /// An empty list with room for `capacity` items (so that a big one is built in place).
    init(capacity: Int) {
        super.init()
        base = inlineItems
        if capacity > ListObj.inlineCapacity { grow(to: capacity) }
    }
    /// Makes this list, new (`init(copying:)`) or dead (`Heap.spareLists`: unmarked, inline,
    /// unreachable), the list of `items`, at most `inlineCapacity` of them. Item by item:
    /// `initialize(from:count:)` called `memmove`, 5% of `bench/trees` for two items.
    func refill(copying items: UnsafeBufferPointer<Value>) {
        assert(
            isInline && !marked && !beingPrinted && items.count <= ListObj.inlineCapacity,
            "filling a list that is in use or not inline")
        count = items.count
        if count > 0 { inline.0 = items[0] }
        if count > 1 { inline.1 = items[1] }
    }
    /// A list of the items `range` of `other`.
    convenience init(copying other: ListObj, in range: Range<Int>) {
        self.init(copying: other.buffer(in: range))
    }
    convenience init(_ items: __owned ContiguousArray<Value> = []) {
        self.init(capacity: items.count)
        items.withUnsafeBufferPointer { append(contentsOf: $0) }
    }
    deinit {
        assert(isInline == (base == inlineItems), "a list's buffer is its inline items exactly when its capacity is inlineCapacity")
        if !isInline { free(base) }
    }

    var isEmpty: Bool { count == 0 }

    /// Item `i`, which must be below `count` (checked: a trap, not a wild read).
    @inline(__always) subscript(i: Int) -> Value {
        get {
            precondition(i >= 0 && i < count, "list index out of bounds")
            return base.unsafelyUnwrapped[i]  // set by init
        }
        set {
            precondition(i >= 0 && i < count, "list index out of bounds")
            base.unsafelyUnwrapped[i] = newValue
        }
    }

    /// The items, copied: for code that goes on while the list may change (or simply wants an array).
    var items: ContiguousArray<Value> { items(in: 0..<count) }

    /// Items `range` (within `0..<count`), in place: valid only until the list next changes.
    private func buffer(in range: Range<Int>) -> UnsafeBufferPointer<Value> {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "list range out of bounds")
        return UnsafeBufferPointer(start: base.map { $0 + range.lowerBound }, count: range.count)
    }

    /// Appends the items of `other` (which may be this list).
    func append(contentsOf other: ListObj) {
        let n = other.count
        if count + n > capacity { grow(to: count + n) }  // before reading `other.base`: it may move
        append(contentsOf: other.buffer(in: 0..<n))
    }

    /// Items `range` (within `0..<count`), copied.
    func items(in range: Range<Int>) -> ContiguousArray<Value> { ContiguousArray(buffer(in: range)) }

    /// Replaces every item with `items`.
    func setItems(_ items: ContiguousArray<Value>) {
        count = 0
        items.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    @inline(__always) func append(_ v: Value) {
        if count == capacity { grow(to: count + 1) }
        base.unsafelyUnwrapped[count] = v  // count < capacity after grow
        count += 1
    }

    func append(contentsOf items: UnsafeBufferPointer<Value>) {
        guard let from = items.baseAddress, items.count > 0 else { return }
        if count + items.count > capacity { grow(to: count + items.count) }
        (base.unsafelyUnwrapped + count).initialize(from: from, count: items.count)  // trivial values: a copy
        count += items.count
    }

    /// Makes room for at least `needed` items: twice the capacity, or `needed` if more. `realloc`
    /// keeps the items of a malloc'd buffer, often in place; the inline items are copied out.
    /// Plain malloc: `UnsafeMutablePointer.allocate` went through `posix_memalign`, twice the
    /// instructions for these small blocks. malloc's 16-byte alignment covers `Value`'s 8.
    private func grow(to needed: Int) {
        let bigger = max(needed, capacity * 2)  // > inlineCapacity, so never taken for inline
        let (bytes, overflow) = bigger.multipliedReportingOverflow(by: MemoryLayout<Value>.stride)
        guard !overflow, let moved = isInline ? malloc(bytes) : realloc(base, bytes) else {
            fatalError("out of memory for a list of \(bigger) items")
        }
        let items = moved.bindMemory(to: Value.self, capacity: bigger)
        if isInline { items.initialize(from: base.unsafelyUnwrapped, count: count) }
        base = items
        capacity = bigger
    }

    /// Removes and returns the last item; the list must not be empty.
    func removeLast() -> Value {
        precondition(count > 0, "removeLast on an empty list")
        count -= 1
        return base.unsafelyUnwrapped[count]
    }

    /// Removes and returns item `i` (below `count`), moving the later items down.
    func remove(at i: Int) -> Value {
        let v = self[i]  // checks i
        let b = base.unsafelyUnwrapped
        (b + i).update(from: b + i + 1, count: count - i - 1)  // `update` allows overlapping ranges
        count -= 1
        return v
    }

    /// Inserts `v` before item `i` (at most `count`), moving the later items up.
    func insert(_ v: Value, at i: Int) {
        precondition(i >= 0 && i <= count, "list insert index out of bounds")
        if count == capacity { grow(to: count + 1) }
        let b = base.unsafelyUnwrapped
        (b + i + 1).update(from: b + i, count: count - i)  // `update` allows overlapping ranges
        b[i] = v
        count += 1
    }

    func reverse() {
        guard count > 1 else { return }
        var items = UnsafeMutableBufferPointer(start: base, count: count)
        items.reverse()
    }

    override func trace(_ gc: Collector) {
        for i in 0..<count { gc.mark(base.unsafelyUnwrapped[i]) }
    }
    /// This 80-byte object's 96-byte chunk, a grown list's buffer's chunk (16 bytes over the
    /// items), the heap's slot for it, and some slack: bench/memory_estimates.py measured 115 real
    /// bytes per one-item list (estimated 120) and 290 per ten-item list (296).
    override var estimatedSize: Int { isInline ? ListObj.inlineEstimatedSize : 136 + capacity * 16 }
    static let inlineEstimatedSize = 120
}

/// `range(start, stop, step)`; lazy.
final class RangeObj: Obj {
    /// How every iteration of a range steps (a range iterator's and a range loop's): the value
    /// `current`, which moves on by `step` (to `stop` past the largest or smallest int), or nil
    /// once it has reached `stop`.
    @inline(__always) static func step(_ current: inout Int64, stop: Int64, step: Int64) -> Value? {
        guard step > 0 ? current < stop : current > stop else { return nil }
        let value = current
        let (next, o) = current.addingReportingOverflow(step)
        current = o ? stop : next
        return Value(value)
    }

    let start: Int64, stop: Int64, step: Int64
    init(start: Int64, stop: Int64, step: Int64) { self.start = start; self.stop = stop; self.step = step }
    override var estimatedSize: Int { 80 }
    /// Number of values produced, computed without overflow; nil when it is more than the largest
    /// int (only `range(a, b)` spanning nearly every int with step 1 or -1 can be).
    var count: Int64? {
        let span: UInt64, stride: UInt64
        if step > 0 {
            if start >= stop { return 0 }
            span = UInt64(bitPattern: stop &- start); stride = UInt64(step)
        } else {
            if start <= stop { return 0 }
            span = UInt64(bitPattern: start &- stop); stride = step.magnitude
        }
        return Int64(exactly: (span - 1) / stride + 1)
    }
}

/// A captured variable: open while its slot lives on a coroutine stack (`slot` points there, and
/// is moved when the stack grows), closed afterwards (the value lives in `closed`).
final class Upvalue {
    /// The fiber owning the slot while open (for the collector); nil once closed.
    /// Sound: while the upvalue is open that fiber is alive (the heap owns it, and every closure
    /// holding this upvalue marks it), and closing clears the reference.
    unowned(unsafe) var fiber: Fiber?
    var index: Int
    /// `fiber.stack + index` while open: `Fiber.reserve` re-points it when the stack
    /// moves; never read once closed.
    var slot: UnsafeMutablePointer<Value>
    var isOpen = true
    var closed: Value = .nil
    init(fiber: Fiber, index: Int) {
        self.fiber = fiber
        self.index = index
        self.slot = fiber.stack + index
    }
    @inline(__always) var value: Value {
        get { isOpen ? slot.pointee : closed }
        set { if isOpen { slot.pointee = newValue } else { closed = newValue } }
    }
    func close() {
        if isOpen {
            closed = slot.pointee
            isOpen = false
            fiber = nil
        }
    }
}

/// A function value: a prototype plus captured variables. What a call needs is copied out of the
/// prototype so the dispatch loop reads it without touching reference counts.
final class ClosureObj: Obj {
    let proto: FunctionProto
    let upvalues: ContiguousArray<Upvalue>
    /// The same upvalues, unretained, for the dispatch loop. Sound: `upvalues` retains each for
    /// the closure's life; the buffer is allocated here and freed in `deinit`.
    let upvalueRefs: UnsafeMutablePointer<Unmanaged<Upvalue>>
    let arity: Int
    let maxStack: Int
    /// The prototype's code and constants, whose buffers never move and live as long as `proto`
    /// (held here); they have a capacity of at least one, so the base addresses are never nil.
    let code: UnsafeMutablePointer<UInt8>
    let consts: UnsafeMutablePointer<Value>
    /// The prototype's `fieldHints`, like `consts`.
    let fieldHints: UnsafeMutablePointer<Int32>
    init(proto: FunctionProto, upvalues: ContiguousArray<Upvalue>) {
        self.proto = proto
        self.upvalues = upvalues
        upvalueRefs = .allocate(capacity: max(upvalues.count, 1))
        for (i, u) in upvalues.enumerated() { (upvalueRefs + i).initialize(to: Unmanaged.passUnretained(u)) }
        arity = proto.arity
        maxStack = proto.maxStack
        code = proto.code.baseAddress.unsafelyUnwrapped
        consts = proto.constants.baseAddress.unsafelyUnwrapped
        fieldHints = proto.fieldHints.baseAddress.unsafelyUnwrapped
    }
    deinit { upvalueRefs.deallocate() }
    override func trace(_ gc: Collector) {
        gc.markProto(proto)
        for u in upvalues {
            if let f = u.fiber { gc.markObject(f) } else { gc.mark(u.closed) }
        }
    }
    /// Each captured variable is an `Upvalue` object of its own.
    override var estimatedSize: Int { 160 + upvalues.count * 140 }
}

/// A native that only computes: its result is pushed in place of the call. `args[0]` is the
/// receiver for methods. The buffer is a window onto the caller's stack, valid only during the
/// call: a native never keeps it.
typealias NativeFn = (VM, UnsafeMutableBufferPointer<Value>) throws(VMError) -> Value
/// A native that may move control (resume, yield, block, tail call): its result says how.
typealias ControlFn = (VM, UnsafeMutableBufferPointer<Value>) throws(VMError) -> NativeResult

/// A builtin function or method written in Swift.
final class NativeObj: Obj {
    let name: String
    /// Accepted argument counts, not counting a method's receiver; `maxArgs < 0`: any number.
    let minArgs: Int, maxArgs: Int
    /// Methods receive their receiver as `args[0]`.
    let isMethod: Bool
    /// Whether the Swift code is `control` (it may move control) or `compute`. Two plain
    /// properties rather than an enum with closure payloads: calling a stored `let` closure
    /// borrows it, while taking one out of an enum copies it (a retain and a release per call,
    /// which was 5% of the instructions of bench/chan).
    let isControl: Bool
    let compute: NativeFn
    let control: ControlFn
    /// For a native of one float that gives a float (`sqrt`): the same function as a plain C
    /// function pointer, which `VM.callOther` calls directly for a float argument, without the
    /// native call's arity check, closure call and argument conversion (~100 instructions of
    /// each `sqrt` in bench/nbody). A NaN result for an argument that is not NaN means the
    /// native would have thrown (`sqrt(-1)`: math domain error), and the call takes the
    /// general path, which does.
    var floatFunction: (@convention(c) (Double) -> Double)?
    init(name: String, minArgs: Int, maxArgs: Int, isMethod: Bool = false, fn: @escaping NativeFn) {
        self.name = name; self.minArgs = minArgs; self.maxArgs = maxArgs; self.isMethod = isMethod
        self.isControl = false; self.compute = fn; self.control = NativeObj.noControl
    }
    init(name: String, minArgs: Int, maxArgs: Int, isMethod: Bool = false, control: @escaping ControlFn) {
        self.name = name; self.minArgs = minArgs; self.maxArgs = maxArgs; self.isMethod = isMethod
        self.isControl = true; self.compute = NativeObj.noCompute; self.control = control
    }
    /// The unused body of each kind (never called: `isControl` picks the other).
    private static let noCompute: NativeFn = { _, _ in .nil }
    private static let noControl: ControlFn = { _, _ in .value(.nil) }
}

/// `recv.method` taken as a value: calling it calls the method on `recv`.
final class BoundMethodObj: Obj {
    let receiver: Value
    let method: Value  // a native (receiver passed as args[0]) or a prelude closure
    let name: String
    init(receiver: Value, method: Value, name: String) { self.receiver = receiver; self.method = method; self.name = name }
    override func trace(_ gc: Collector) { gc.mark(receiver); gc.mark(method) }
    override var estimatedSize: Int { 96 }
}

/// One line of a traceback.
struct TraceEntry {
    var file: String
    var line: Int
    var function: String
    /// Set on the first frame of a coroutine or task that was entered by a resume.
    var boundary: String?
    /// Non-zero for a line standing for that many more repeats of the line before.
    var repeatCount = 0
    /// Non-zero for a line standing for that many frames left out of a very deep traceback.
    var skippedCount = 0
    /// The same line of the same function (what `VM.compress` folds), without building `text`.
    func isSameSite(as o: TraceEntry) -> Bool {
        line == o.line && skippedCount == o.skippedCount && repeatCount == o.repeatCount
            && function == o.function && file == o.file
    }
    var text: String {
        if skippedCount > 0 { return "... \(skippedCount) more frames ..." }
        return repeatCount > 0 ? "... previous line repeated \(repeatCount) more times" : "\(file):\(line) in \(function)"
    }
}

/// An error value: a message and, once thrown, the traceback of where.
/// What an error value unwinds, besides being an error: see `ErrorObj.unwind`.
enum Unwind: UInt8 {
    case none
    /// `co.close()`: the coroutine and the `yield from` delegates it closes first.
    case close
    /// `t.cancel()`: every fiber of the task's resume chain.
    case cancel
}

final class ErrorObj: Obj {
    let message: String
    var trace: [TraceEntry] = []
    var traced = false
    /// Where it was raised, for the caret excerpt of an uncaught error.
    var source: SourceText?
    var loc = SourceLoc.unknown
    /// The task it was raised in.
    var taskName: String?
    /// Not `.none` for the values that unwind a coroutine being closed or a task being
    /// cancelled: `catch` blocks let them through and `finally` blocks run (`VM.handleError`).
    var unwind: Unwind = .none
    init(message: String) { self.message = message }
    override var estimatedSize: Int { 120 + message.utf8.count + trace.count * (MemoryLayout<TraceEntry>.stride + 32) }
}

/// Iteration state for `for` loops over lists, maps, strings, ranges and channels.
final class IteratorObj: Obj {
    enum Kind { case list, map, string, range, channel, accept, lines }
    let kind: Kind
    let source: Value
    var index: Int = 0
    var current: Int64 = 0, stop: Int64 = 0, step: Int64 = 1
    init(kind: Kind, source: Value) { self.kind = kind; self.source = source }
    override func trace(_ gc: Collector) { gc.mark(source) }
    override var estimatedSize: Int { 112 }
}
