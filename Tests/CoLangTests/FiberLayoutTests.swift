// Issue 17: the memory of a suspended coroutine. A million of them are a million `Fiber`s, so a
// field added to `Fiber` should be a decision: these tests fail when the object stops fitting
// the malloc chunk it was laid out for (see the comment on `Fiber`).
#if canImport(Glibc)
    import Testing
    @testable import CoLang

    /// glibc's usable size of a malloc'd block: the chunk less its 8-byte header. (malloc.h, which
    /// declares it, is not part of the Glibc module.)
    @_silgen_name("malloc_usable_size") private func mallocUsableSize(_ block: UnsafeMutableRawPointer) -> Int

    @Test func aFiberFitsA128ByteChunk() {
        let fiber = Fiber(id: 1, entry: .nil, capacity: 4)
        #expect(mallocUsableSize(Unmanaged.passUnretained(fiber).toOpaque()) <= 120)
    }

    /// `bench/mem.co`'s coroutine needs one frame and four stack slots: one chunk holds them all.
    @Test func aSmallCoroutinesFramesAndStackShareOneChunk() {
        let fiber = Fiber(id: 1, entry: .nil, capacity: 4)
        #expect(UnsafeMutableRawPointer(fiber.stack) - UnsafeMutableRawPointer(fiber.frames) == MemoryLayout<CallFrame>.stride)
        #expect(mallocUsableSize(UnsafeMutableRawPointer(fiber.frames)) <= 104)
    }
#endif
