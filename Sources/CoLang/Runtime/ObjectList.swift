// The heap's list of every object it owns.

/// The strong references through which the heap owns its objects, in allocation order.
///
/// `[Obj]` did this until issue 17's third round: appending a new object retained it and the
/// caller then released its own reference (a pair of atomic operations per allocation, 7% of
/// bench/trees), and each append was two calls into the array's growth code. Here an append is
/// a compare and a store that moves the caller's reference in when it is the caller's last use
/// of it (`Heap.adopt`).
///
/// Invariants: `slots[0..<count]` are initialized, each a strong reference to a distinct object;
/// `count <= capacity`, and `slots` has room for `capacity`. The owner calls `releaseAll` once,
/// when it is done (`Heap`'s `deinit`); nothing else frees the buffer.
struct ObjectList {
    private var slots: UnsafeMutablePointer<Obj>
    private(set) var count = 0
    private(set) var capacity: Int

    static let initialCapacity = 1024

    init() {
        capacity = ObjectList.initialCapacity
        slots = .allocate(capacity: capacity)
    }

    /// Takes over `o`: the list holds it until `sweep` finds it unmarked.
    @inline(__always) mutating func append(_ o: __owned Obj) {
        if count == capacity { grow() }
        assert(count < capacity, "object list full")
        (slots + count).initialize(to: o)
        count &+= 1
    }

    @inline(never) private mutating func grow() {
        let bigger = capacity * 2
        let moved = UnsafeMutablePointer<Obj>.allocate(capacity: bigger)
        moved.moveInitialize(from: slots, count: count)  // moves the references: no counting
        slots.deallocate()
        slots = moved
        capacity = bigger
    }

    /// Object `i` (below `count`), unretained: the list holds it until the next `sweep`.
    @inline(__always) func unmanaged(_ i: Int) -> Unmanaged<Obj> {
        precondition(i >= 0 && i < count, "object index out of range")
        return reference(at: i)
    }

    /// The reference in slot `i` (initialized), loaded without a retain: a class reference is
    /// one pointer.
    @inline(__always) private func reference(at i: Int) -> Unmanaged<Obj> {
        Unmanaged.fromOpaque(UnsafeRawPointer(slots + i).load(as: UnsafeRawPointer.self))
    }

    /// `body` with object `i` (below `count`), not retained: the list holds it meanwhile.
    @inline(__always) func with<R>(_ i: Int, _ body: (Obj) throws -> R) rethrows -> R {
        try unmanaged(i)._withUnsafeGuaranteedRef(body)
    }

    /// Calls `body` with each object in order, not retained. `body` must not append or sweep.
    func visitAll(_ body: (Obj) -> Void) {
        for i in 0..<count { unmanaged(i)._withUnsafeGuaranteedRef(body) }
    }

    /// Keeps the objects `keep` says to, in order, and releases the rest (freeing those that
    /// nothing else holds). Every object is asked before any is released, so `keep` sees no
    /// object freed by another's release. Survivors are moved down over the dead, whose
    /// references are swapped to the end and released there; except that a dead object this
    /// list holds the only reference to is first offered to `recycle`, which may take the
    /// reference over (returning true) to use the object again (`Heap.spareLists`).
    mutating func sweep(keeping keep: (Obj) -> Bool, recycle: (Unmanaged<Obj>) -> Bool) {
        var live = 0
        for i in 0..<count where unmanaged(i)._withUnsafeGuaranteedRef(keep) {
            if i != live {
                // Moves, so nothing is counted.
                let dead = (slots + live).move()
                (slots + live).moveInitialize(from: slots + i, count: 1)
                (slots + i).initialize(to: dead)
            }
            live &+= 1
        }
        let dead = count
        count = live  // before the releases: a `deinit` never finds a freed object in the list
        for i in live..<dead {
            // Unique: no `deinit` of another dead object can still reach it, and nothing else will.
            if isKnownUniquelyReferenced(&slots[i]), recycle(reference(at: i)) {
                continue  // the reference moved to `recycle`: not released
            }
            (slots + i).deinitialize(count: 1)  // releases, freeing it unless something else holds it
        }
    }

    /// Releases every object and frees the buffer; the list must not be used again.
    mutating func releaseAll() {
        slots.deinitialize(count: count)
        slots.deallocate()
        count = 0
        capacity = 0
    }
}
