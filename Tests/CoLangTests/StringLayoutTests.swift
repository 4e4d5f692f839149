// Issue 17: programs hold millions of strings (bench/words keeps six million), so a field added
// to `StrObj` should be a decision: this fails when the object stops fitting the malloc chunk it
// was laid out for (see the comment on `StrObj`).
#if canImport(Glibc)
    import Testing
    @testable import CoLang

    /// glibc's usable size of a malloc'd block: the chunk less its 8-byte header.
    @_silgen_name("malloc_usable_size") private func mallocUsableSize(_ block: UnsafeMutableRawPointer) -> Int

    @Test func aStringFitsA64ByteChunk() {
        let s = StrObj("word")
        #expect(mallocUsableSize(Unmanaged.passUnretained(s).toOpaque()) <= 56)
        #expect(s.count == 4)
        #expect(s.hasCount)
        #expect(s.hashCode == StrObj("wo" + "rd").hashCode)
    }
#endif
