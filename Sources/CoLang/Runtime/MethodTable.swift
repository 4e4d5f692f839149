// Built-in methods by (receiver type, method id): one array read per method call, no hashing.

/// Method names are interned to small ids when code is compiled; a flat table maps
/// (type tag, id) to the method's implementation (a native or a prelude closure).
final class MethodTable {
    /// Interned method names (shared with the compiler).
    let ids = GlobalTable()
    private static let tagCount = 32
    /// `tagCount × width` values, all initialized; owned here and freed in `deinit`. Every read
    /// is at `tag × width + id` with `id < width` (`lookup` checks), and a tag is below 32.
    private var slots: UnsafeMutablePointer<Value>
    private var width = 0

    init() {
        slots = .allocate(capacity: 1)
    }

    deinit { slots.deallocate() }

    /// Makes room for every interned id.
    func ensureWidth() {
        let needed = ids.names.count
        if needed <= width { return }
        var newWidth = max(width * 2, 64)
        while newWidth < needed { newWidth *= 2 }
        let p = UnsafeMutablePointer<Value>.allocate(capacity: MethodTable.tagCount * newWidth)
        p.initialize(repeating: .undefined, count: MethodTable.tagCount * newWidth)
        for tag in 0..<MethodTable.tagCount {
            for id in 0..<width { p[tag * newWidth + id] = slots[tag * width + id] }
        }
        slots.deallocate()
        slots = p
        width = newWidth
    }

    func set(_ tag: Tag, _ name: String, _ value: Value) {
        let id = ids.slot(for: name)
        ensureWidth()
        slots[Int(tag.rawValue) * width + id] = value
    }

    /// The method `id` of values tagged `tag`, or `.undefined`.
    @inline(__always) func lookup(_ tag: Tag, _ id: Int) -> Value {
        id < width ? slots[Int(tag.rawValue) * width + id] : .undefined
    }

    /// The method called `name` of values tagged `tag`, if any.
    func lookup(_ tag: Tag, name: String) -> Value? {
        guard let id = ids.lookup(name) else { return nil }
        let v = lookup(tag, id)
        return v.tag == .undefined ? nil : v
    }

    /// Every method value, for the collector.
    func forEachMethod(_ body: (Value) -> Void) {
        for i in 0..<(MethodTable.tagCount * width) where slots[i].tag != .undefined { body(slots[i]) }
    }
}
