// Growing the raw buffers the VM indexes directly (globals; a fiber's frames and stack share one
// block, which `Fiber.reserve` grows).

extension UnsafeMutablePointer {
    /// Moves the first `count` elements into a new buffer of at least `needed` elements (the
    /// capacity doubles from `capacity`), frees this one, and returns the new buffer and capacity.
    /// Sound when the first `count` elements are initialized and the caller re-points whatever
    /// pointed into the old buffer (globals are only reached through the returned pointer).
    func grown(count: Int, capacity: Int, toFit needed: Int) -> (UnsafeMutablePointer<Pointee>, Int) {
        var newCapacity = Swift.max(capacity * 2, 1)
        while newCapacity < needed { newCapacity *= 2 }
        let p = UnsafeMutablePointer<Pointee>.allocate(capacity: newCapacity)
        p.moveInitialize(from: self, count: count)
        deallocate()
        return (p, newCapacity)
    }
}
