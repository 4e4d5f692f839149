// Issue 17: the memory of a suspended coroutine. A million of them are a million `Fiber`s, so a
// field added to `Fiber` should be a decision: these tests fail when the object stops fitting
// the malloc chunk it was laid out for (see the comment on `Fiber`).
#if canImport(Glibc)
    import Testing
    @testable import CoLang

    /// glibc's usable size of a malloc'd block: the chunk less its 8-byte header. (malloc.h, which
    /// declares it, is not part of the Glibc module.)
    @_silgen_name("malloc_usable_size") private func mallocUsableSize(_ block: UnsafeMutableRawPointer) -> Int

    @Test func aFiberFitsA112ByteChunk() {
        let fiber = Fiber(id: 1, entry: .nil, capacity: 3)
        #expect(mallocUsableSize(Unmanaged.passUnretained(fiber).toOpaque()) <= 104)
    }

    /// The id is split across two paddings; all 48 bits come back.
    @Test func aFibersIdKeeps48Bits() {
        for id in [0, 1, 0xFFFF_FFFF, 0x1_0000_0000, (1 << 48) - 1] {
            #expect(Fiber(id: id, entry: .nil, capacity: 1).id == id)
        }
    }

    /// `bench/mem.co`'s coroutine needs one frame and three stack slots: one chunk holds them all.
    @Test func aSmallCoroutinesFramesAndStackShareOneChunk() {
        let fiber = Fiber(id: 1, entry: .nil, capacity: 3)
        #expect(UnsafeMutableRawPointer(fiber.stack) - UnsafeMutableRawPointer(fiber.frames) == MemoryLayout<CallFrame>.stride)
        #expect(MemoryLayout<CallFrame>.stride == 24)
        #expect(mallocUsableSize(UnsafeMutableRawPointer(fiber.frames)) <= 72)
    }
#endif
