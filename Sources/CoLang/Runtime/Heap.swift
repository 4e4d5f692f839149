// The heap owns every object; a mark-and-sweep collector frees what the roots cannot reach.

/// Marks reachable objects using an explicit gray stack (no recursion, so deep structures are safe).
final class Collector {
    /// Unretained: every object on it is owned by `Heap.objects` until the sweep, which runs
    /// after `drain` has emptied it. (Retaining each pushed object cost a retain and a release
    /// per live object per collection, 5-10% of allocation-heavy programs: issue 17.)
    private var gray: [Unmanaged<Obj>] = []
    private(set) var epoch: UInt32 = 1

    @inline(__always) func mark(_ v: Value) {
        if v.isObject {
            // Unretained, for the same reason as `gray`: the value's object is owned by the heap.
            markUnmanaged(Unmanaged<Obj>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(v.bits)).unsafelyUnwrapped))
        }
    }

    @inline(__always) func markUnmanaged(_ u: Unmanaged<Obj>) {
        if verifying {
            if !u._withUnsafeGuaranteedRef({ $0.marked }) { unmarkedChildren += 1 }
            return
        }
        let wasMarked = u._withUnsafeGuaranteedRef { o in
            let was = o.marked
            o.marked = true
            return was
        }
        if !wasMarked { gray.append(u) }
    }
    /// Debug builds re-trace every marked object after marking with this set: a child that is
    /// not marked then would be freed while reachable (a `trace` that forgets a field).
    fileprivate var verifying = false
    fileprivate(set) var unmarkedChildren = 0

    func markObject(_ o: Obj) {
        if verifying {
            if !o.marked { unmarkedChildren += 1 }
            return
        }
        if o.marked { return }
        o.marked = true
        gray.append(Unmanaged.passUnretained(o))
    }
    func markProto(_ p: FunctionProto) {
        if verifying { return }
        if p.markEpoch == epoch { return }
        p.markEpoch = epoch
        for i in 0..<p.constantCount { mark(p.constants[i]) }
        for child in p.protos { markProto(child) }
    }
    /// Traces until every reachable object is marked.
    func drain() {
        while let o = gray.popLast() { o._withUnsafeGuaranteedRef { $0.trace(self) } }
    }
    func nextEpoch() { epoch &+= 1; if epoch == 0 { epoch = 1 } }
}

/// Owns the objects (strong references) and decides when to collect.
final class Heap {
    /// Every object the heap owns (see `ObjectList`).
    private(set) var objects = ObjectList()
    let collector = Collector()
    /// Collect when the object count passes this.
    private var threshold = Heap.minimumThreshold
    /// Estimated live bytes after the last collection.
    private(set) var liveBytes = 0
    var stress = false
    var collections = 0

    deinit {
        objects.releaseAll()
        releaseSpares()
    }

    /// Dead objects of the two kinds programs make and drop by the million, kept by `sweep`
    /// to be filled again instead of freed and allocated anew (CPython keeps such free lists
    /// of tuples, lists and frames): lists of at most `ListObj.inlineCapacity` items (a node
    /// of a tree, a pair, a point: half of `bench/trees`' time was allocating and freeing them)
    /// and strings of at most `StrObj.inlineBytes` bytes (`str(i)`, a key, a word). Only those
    /// whose items or bytes live in the object itself, so filling one again is a few stores,
    /// and only objects the heap's list held the only reference to. At most `maxSpares` of
    /// each; counted in `liveBytes`, and freed when the live bytes pass the memory limit.
    private var spareLists: [Unmanaged<ListObj>] = []
    private var spareStrings: [Unmanaged<StrObj>] = []
    /// At most this many spares of each kind (about 8 MB of lists and 5 MB of strings): the
    /// memory a collection frees stays in them until such objects are made again, where
    /// `free` would let other objects use it.
    static let sparesAtMost = 1 << 16
    /// The most spares of each kind kept: `sparesAtMost`, or fewer under a small memory limit
    /// (`limitSpares`).
    private(set) var maxSpares = Heap.sparesAtMost
    /// What a spare list and a spare string are counted as.
    static let spareListBytes = ListObj.inlineEstimatedSize
    static let spareStringBytes = StrObj.inlineEstimatedSize

    /// Keeps the spares to an eighth of `memoryLimit` bytes at most.
    func limitSpares(memoryLimit: Int) {
        maxSpares = min(Heap.sparesAtMost, memoryLimit / 8 / (Heap.spareListBytes + Heap.spareStringBytes))
    }

    /// Bytes of the spares.
    private var spareBytes: Int { spareLists.count * Heap.spareListBytes + spareStrings.count * Heap.spareStringBytes }

    /// Frees the spares (the live bytes are over the memory limit: make room).
    func releaseSpares() {
        liveBytes -= spareBytes
        for u in spareLists { u.release() }
        for u in spareStrings { u.release() }
        spareLists.removeAll()
        spareStrings.removeAll()
    }

    /// How many spares there are (for tests).
    var spareListCount: Int { spareLists.count }
    var spareStringCount: Int { spareStrings.count }

    /// A dead list to fill again, or nil (see `spareLists`). It is the caller's (retained).
    @inline(__always) func takeSpareList() -> ListObj? {
        spareLists.popLast()?.takeRetainedValue()
    }

    /// Offered a dead object (unmarked, the objects list's reference the only one) by the
    /// sweep: keeps it as a spare when it is of a kind kept and there is room, taking over that
    /// reference, and says whether it did.
    private func keepSpare(_ u: Unmanaged<Obj>) -> Bool {
        u._withUnsafeGuaranteedRef { o in
            if type(of: o) == ListObj.self, unsafeDowncast(o, to: ListObj.self).isInline {
                return Heap.keep(u, in: &spareLists, atMost: maxSpares)
            }
            if type(of: o) == StrObj.self, unsafeDowncast(o, to: StrObj.self).isInline {
                return Heap.keep(u, in: &spareStrings, atMost: maxSpares)
            }
            return false
        }
    }

    /// Moves the reference `u` (to a `T`) into `spares` if it has room.
    private static func keep<T: Obj>(_ u: Unmanaged<Obj>, in spares: inout [Unmanaged<T>], atMost: Int) -> Bool {
        guard spares.count < atMost else { return false }
        spares.append(Unmanaged.fromOpaque(u.toOpaque()))
        return true
    }

    /// Takes over the new object `o` and returns it as a value tagged `tag`. Cheaper than `track`
    /// where it fits: `o`'s reference moves into `objects` uncounted, where `track`, which
    /// returns the object as well, retains it there and the caller releases its own.
    @inline(__always) func adopt(_ o: __owned Obj, tag: Tag) -> Value {
        let v = Value(object: o, tag: tag)
        own(o)
        return v
    }

    @inline(__always) func track<T: Obj>(_ o: T) -> T {
        own(o)
        return o
    }

    /// Adds `o` to `objects` (its last use by `adopt`: the reference moves in); a collection is
    /// due once they pass the threshold.
    @inline(__always) private func own(_ o: __owned Obj) {
        objects.append(o)
        if objects.count >= threshold || stress { wantsCollection = true }
    }

    /// The short strings, one object per content (see `InternedStrings`).
    let interned = InternedStrings()

    /// A string object holding `s`: the interned one when `s` is short, else a new one.
    func string(_ s: String) -> StrObj { stringValue(s).asString }

    /// The string of UTF-8 `bytes` (valid, and cut at code point boundaries) as a value. A short
    /// one is looked up in `interned` by its bytes before an object is made, and a new one is
    /// added: splitting a text into words and slicing mostly make strings that exist already.
    @inline(__always) func stringValue(bytes: UnsafeBufferPointer<UInt8>) -> Value {
        if bytes.count > InternedStrings.maxBytes { return adopt(StrObj(copying: bytes), tag: .string) }
        return internedString(bytes).value
    }

    /// The interned string of the short `bytes`: the one `interned` holds (`found`), else a new
    /// one, added to it.
    @inline(__always) private func internedString(_ bytes: UnsafeBufferPointer<UInt8>) -> (value: Value, found: Bool) {
        let hash = MapHash.bytes(bytes)
        if let found = interned.find(bytes: bytes, hash: hash) {
            return (Value(tag: .string, bits: UInt64(UInt(bitPattern: found.toOpaque()))), true)
        }
        let o = newShortString(bytes)
        o.hashCache = hash
        o.isInterned = true
        interned.insert(o)
        return (adopt(o, tag: .string), false)
    }

    /// A string object of the short `bytes`: a spare filled again when there is one.
    @inline(__always) private func newShortString(_ bytes: UnsafeBufferPointer<UInt8>) -> StrObj {
        if bytes.count <= StrObj.inlineBytes, let spare = spareStrings.popLast() {
            let o = spare.takeRetainedValue()
            o.refill(copying: bytes)
            return o
        }
        return StrObj(copying: bytes)
    }

    /// What made a string whose contents may or may not repeat (`producedStringValue`).
    enum StringProducer {
        /// `+`, `CONCAT`, `join`, `replace` (`VM.joined`).
        case joining
        /// `str` of an int of more than three digits (`VM.intString`).
        case formatting
    }
    private var joiningPolicy = InternPolicy()
    private var formattingPolicy = InternPolicy()

    /// `stringValue(bytes:)` for a string that `producer` made, while looking such strings up
    /// in `interned` finds them there; else (`InternPolicy`) a new string outside the table.
    /// A program that builds the same words again and again (bench/words: `word += s`) gets one
    /// object per word, as before; one that builds new keys (bench/strings: `"item-" + str(i)`)
    /// skips a lookup and an insertion that touch the table at a random place each, a cache
    /// miss once the table outgrows the cache: a quarter of that program's time. Equality
    /// compares the bytes of two strings unless both are interned (`StrObj.sameText`).
    @inline(__always) func producedStringValue(bytes: UnsafeBufferPointer<UInt8>, by producer: StringProducer) -> Value {
        if bytes.count > InternedStrings.maxBytes { return stringValue(bytes: bytes) }  // never interned
        switch producer {
        case .joining: return producedShortString(bytes, policy: &joiningPolicy)
        case .formatting: return producedShortString(bytes, policy: &formattingPolicy)
        }
    }

    @inline(__always) private func producedShortString(_ bytes: UnsafeBufferPointer<UInt8>, policy: inout InternPolicy) -> Value {
        guard policy.shouldLookUp() else { return adopt(newShortString(bytes), tag: .string) }
        let (value, found) = internedString(bytes)
        policy.record(hit: found)
        return value
    }

    /// `string(s)` as a value (what the VM makes: a new object moves into `objects` uncounted).
    func stringValue(_ s: String) -> Value {
        s.withBytes { stringValue(bytes: $0) }
    }

    /// True when a collection is due at the next safe point (one flag: cheap to test in loops).
    private(set) var wantsCollection = false

    /// Bytes of big values built since the last collection (see `noteBigAllocation`).
    private var bigBytesSinceGC = 0

    /// A big value was built: collect once the bytes built since the last collection pass the
    /// live data (at least `Heap.minimumGrowth`), or a quarter of the memory limit, so the
    /// garbage of earlier big values (a string doubling in a loop, dropped megabyte strings) is
    /// freed before it piles up. Object counts alone would let 100,000 big values pile up.
    @inline(__always) func noteBigAllocation(bytes: Int, limit: Int) {
        bigBytesSinceGC &+= bytes
        if bigBytesSinceGC > min(limit / Heap.bigBytesShareOfLimit, max(liveBytes, Heap.minimumGrowth)) { wantsCollection = true }
    }

    /// Bytes that containers grew by since the last collection without allocating an object
    /// (`push`, `insert`, a new map key, a value buffered in a channel): with the sizes of the
    /// objects allocated since, what `estimatedBytes` adds to the live bytes, so that
    /// `--max-memory` notices growth without a full collection (issue 17).
    var grownBytes = 0
    /// `objects[..<measuredCount]` are counted in `liveBytes` or `newBytes`.
    private var measuredCount = 0
    /// Estimated bytes of the objects allocated since the last collection, up to `measuredCount`.
    private var newBytes = 0

    /// A cheap upper estimate of the bytes live now: the live bytes of the last collection, plus
    /// the objects allocated since (each measured once) and the containers' growth. Nothing freed
    /// since is subtracted, so it only errs high. Costs O(objects allocated since the last call).
    func estimatedBytes() -> Int {
        var i = measuredCount
        let n = objects.count
        while i < n {
            newBytes &+= objects.with(i) { $0.estimatedSize }
            i += 1
        }
        measuredCount = n
        return liveBytes &+ newBytes &+ grownBytes
    }

    /// What a pushed list item or buffered channel value adds to `grownBytes`: its 16 bytes, and
    /// half again for the spare capacity an array keeps as it doubles.
    static let grownBytesPerListItem = 24
    /// What a new map key adds to `grownBytes`, erring high: its 40-byte `MapEntry`, the
    /// spare capacity of the doubling entry buffer and 8 bytes of table slots come to about 70.
    static let grownBytesPerMapEntry = 100

    /// Sockets opened since the last collection (see `noteDescriptor`).
    private var descriptorsSinceGC = 0

    /// A socket was opened. An unreachable socket keeps its descriptor until it is collected,
    /// and a process runs out of descriptors (1,024 by default) long before it runs out of
    /// memory, so every `descriptorsPerCollection` sockets ask for a collection.
    @inline(__always) func noteDescriptor() {
        descriptorsSinceGC &+= 1
        if descriptorsSinceGC >= Heap.descriptorsPerCollection { wantsCollection = true }
    }

    static let descriptorsPerCollection = 256

    /// Bytes of big values that may be built between two collections however little is live.
    static let minimumGrowth = 32 << 20

    /// Objects allocated before the first collection; after one, the threshold never falls below it.
    static let minimumThreshold = 100_000
    /// After a collection the next one comes when the object count reaches this many times the
    /// objects that survived.
    static let thresholdGrowth = 2
    /// Big values built between two collections never pass this fraction (1/4) of a memory limit.
    static let bigBytesShareOfLimit = 4
    /// Under a memory limit, the threshold stays at least this many objects above the live count
    /// (or half again the live count, if more), or every allocation would collect.
    static let minimumLimitedGrowth = 10_000
    /// Under a memory limit, a collection comes at least every `limit / limitBytesPerObject`
    /// objects: objects are at least ~48 bytes, so the limit's worth never piles up unchecked.
    static let limitBytesPerObject = 96
    /// ... but never more often than every this many objects.
    static let minimumLimitedObjects = 10_000
    /// Debug builds check that the collector frees no reachable object every this many
    /// collections (a power of two).
    static let verificationInterval = 16

    /// With a memory limit, collect more often so the limit is noticed soon after it is passed.
    /// Never below half again the live count, or every allocation would collect (a crawl).
    func limitThreshold(maxObjects: Int) {
        let live = objects.count
        threshold = min(threshold, max(maxObjects, live + max(live / 2, Heap.minimumLimitedGrowth)))
        if objects.count >= threshold { wantsCollection = true }
    }

    /// Told of each object a collection frees, before it is freed (a recording, which holds
    /// tasks, coroutines and channels without keeping them alive, forgets them here).
    var freeing: ((ObjectIdentifier) -> Void)?

    /// Frees every unmarked object; the caller has marked the roots through `collector`.
    func sweep() {
        collector.drain()
        // Every 16th collection (one more full trace each time: checking all of them made debug
        // runs of big heaps twice as slow, and --gc-stress collects thousands of times anyway).
        assert(
            collections & (Heap.verificationInterval - 1) != 0 || everyReachableObjectIsMarked(),
            "the collector would free a reachable object")
        interned.purge()  // before anything it holds is freed
        var bytes = 0
        // Under --gc-stress only every other collection recycles, so that a reference the
        // collector missed finds freed memory (which AddressSanitizer reports) at least as often.
        let recycling = !stress || collections & 1 == 1
        objects.sweep { o in
            if !o.marked {
                if let freeing { freeing(ObjectIdentifier(o)) }
                return false
            }
            o.marked = false
            bytes += o.estimatedSize
            return true
        } recycle: { u in
            recycling && keepSpare(u)
        }
        let live = objects.count
        liveBytes =
            bytes + objects.capacity * MemoryLayout<Obj>.stride + interned.bytes  // the heap's own tables
            + spareBytes
        bigBytesSinceGC = 0
        grownBytes = 0
        newBytes = 0
        measuredCount = live
        wantsCollection = false
        descriptorsSinceGC = 0
        threshold = max(Heap.minimumThreshold, live * Heap.thresholdGrowth)
        collections += 1
        collector.nextEpoch()
    }

    /// Debug check run before each sweep: tracing every marked object again finds no unmarked child.
    private func everyReachableObjectIsMarked() -> Bool {
        collector.verifying = true
        defer { collector.verifying = false }
        objects.visitAll { o in if o.marked { o.trace(collector) } }
        return collector.unmarkedChildren == 0
    }

    /// Clears the strong references objects hold to each other (blocked tasks and the channels
    /// or tasks they wait on), so that dropping the heap frees everything, deadlocks included.
    func breakCycles() {
        objects.visitAll { o in
            if let t = o as? TaskObj {
                t.joiners = []
                t.waitingOn = .none
            } else if let c = o as? ChannelObj {
                c.receivers.removeAll()
                c.senders.removeAll()
            }
        }
    }
}

/// Whether the new strings of one producer (`Heap.producedStringValue`) are worth looking up
/// in the interned table. Each is looked up while lookups find existing strings; after 1,024
/// lookups of which fewer than 1 in 16 found one, only every 16th is looked up (and added when
/// missing), and after 64 of those the rate is judged again, so a program that starts building
/// the same strings again is noticed within ~1,000 strings.
struct InternPolicy {
    private var lookups: Int32 = 0
    private var hits: Int32 = 0
    private var skipping = false
    private var tick: UInt8 = 0
    static let window: Int32 = 1_024
    static let sampledWindow: Int32 = 64
    static let sampleEvery: UInt8 = 16
    static let worthIt: Int32 = 16  // lookups per hit at most

    /// Whether to look the next string up.
    @inline(__always) mutating func shouldLookUp() -> Bool {
        if !skipping { return true }
        tick &+= 1
        if tick == InternPolicy.sampleEvery { tick = 0 }
        return tick == 0
    }

    /// The outcome of a lookup `shouldLookUp` asked for.
    @inline(__always) mutating func record(hit: Bool) {
        lookups &+= 1
        if hit { hits &+= 1 }
        if lookups >= (skipping ? InternPolicy.sampledWindow : InternPolicy.window) {
            skipping = hits &* InternPolicy.worthIt < lookups
            lookups = 0
            hits = 0
        }
    }
}
