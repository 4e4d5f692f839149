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

    // Up to 16 bytes live in the object; a longer string's bytes are a block of its own, freed
    // with it (the ASan runs of the conformance suite check the freeing).
    @Test func shortBytesLiveInTheObjectLongOnesApart() {
        let short = StrObj("abcdefghijklmnop")
        let long = StrObj("abcdefghijklmnopq")
        let object = UInt(bitPattern: Unmanaged.passUnretained(short).toOpaque())
        let inside = short.withBytes { UInt(bitPattern: $0.baseAddress!) }
        #expect(inside > object && inside + 16 <= object + 56)
        let apart = long.withBytes { UInt(bitPattern: $0.baseAddress!) }
        let longObject = UInt(bitPattern: Unmanaged.passUnretained(long).toOpaque())
        #expect(apart < longObject || apart >= longObject + 56)
        #expect(short.value == "abcdefghijklmnop" && long.value == "abcdefghijklmnopq")
        #expect(short.utf8Count == 16 && long.utf8Count == 17)
        #expect(short.estimatedSize == 80 && long.estimatedSize > 80)
        #expect(mallocUsableSize(Unmanaged.passUnretained(long).toOpaque()) <= 56)
        #expect(short.compare(long) == -1 && long.compare(short) == 1 && long.compare(StrObj(long.value)) == 0)
    }

    // Short strings are interned (InternedStrings.swift): one object per content, forgotten by the
    // table when a collection frees them.
    @Test func shortStringsAreOneObjectPerContent() {
        let heap = Heap()
        let word = heap.string("word")
        #expect(heap.string("wo" + "rd") === word)
        #expect(word.hashCache != 0 && word.hashCache == StrObj("word").hashCode)
        // Code points, not canonical equivalence; past 40 bytes, a new object each time.
        #expect(heap.string("\u{E9}") !== heap.string("e\u{301}"))
        let long = String(repeating: "x", count: InternedStrings.maxBytes + 1)
        #expect(heap.string(long) !== heap.string(long))
        let forty = String(repeating: "x", count: InternedStrings.maxBytes)
        #expect(heap.string(forty) === heap.string(forty))
        #expect(heap.interned.count == 4)

        // A thousand more, then a collection that marks only `word`.
        for i in 0..<1000 { _ = heap.string("w\(i)") }
        #expect(heap.interned.count == 1004)
        heap.collector.markObject(word)
        heap.sweep()
        #expect(heap.interned.count == 1)
        // The table keeps the room it needed (it held 1,004), for as many new strings again.
        #expect(heap.interned.capacity == 2048)
        #expect(heap.string("word") === word)
        #expect(heap.objects.count == 1)
        // A collection after which it held fewer shrinks it to them.
        heap.collector.markObject(word)
        heap.sweep()
        #expect(heap.interned.count == 1)
        #expect(heap.interned.capacity == InternedStrings.minimumCapacity)
        #expect(heap.string("word") === word)
    }

    // Strings that `+` and `str` build are interned only while that finds existing ones
    // (`Heap.producedStringValue`, `InternPolicy`): after a window of misses they are plain
    // objects outside the table, still equal to the interned ones by their bytes; once lookups
    // find them again, they are interned again.
    @Test func builtStringsAreInternedOnlyWhileThatFindsThem() {
        let heap = Heap()
        func built(_ s: String) -> Value { s.withBytes { heap.producedStringValue(bytes: $0, by: .joining) } }
        let word = heap.string("word")
        #expect(built("word").asString === word)  // found: the same object
        // With that hit, a window of lookups of which all the others miss (and are added).
        for i in 0..<Int(InternPolicy.window) - 1 { _ = built("new\(i)") }
        #expect(heap.interned.count == Int(InternPolicy.window))
        let plain = built("new-key")
        #expect(!plain.asString.isInterned && plain.asString !== built("new-key").asString)
        #expect(heap.interned.count == Int(InternPolicy.window))  // neither was added
        // Equal to an interned string with its bytes, and one map key with it.
        let interned = heap.stringValue("new-key")
        #expect(interned.asString.isInterned && StrObj.sameText(plain.asString, interned.asString))
        #expect(StrObj.sameText(interned.asString, plain.asString))
        #expect(!StrObj.sameText(plain.asString, heap.string("new-kez")))
        #expect(plain.asString.hashCode == interned.asString.hashCode)
        #expect(MapObj.sameKey(plain, interned))
        let m = MapObj(capacity: 0)
        _ = m.set(interned, hash: interned.asString.hashCode, Value(Int64(1)))
        #expect(m.value(for: plain, hash: plain.asString.hashCode).map { $0.asInt } == 1)
        // Lookups that find their strings again: sampled, then looked up every time.
        var sameObject = 0
        for _ in 0..<(Int(InternPolicy.sampledWindow) * Int(InternPolicy.sampleEvery) + 32) {
            if built("word").asString === word { sameObject += 1 }
        }
        #expect(sameObject > Int(InternPolicy.sampledWindow))
        #expect(built("word").asString === word && built("word").asString === word)
        // Long strings were never interned, whoever made them.
        let long = String(repeating: "y", count: InternedStrings.maxBytes + 1)
        #expect(!built(long).asString.isInterned && !heap.string(long).isInterned)
    }
#endif
