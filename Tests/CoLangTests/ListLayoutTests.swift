// Issue 17: a list of up to two items keeps them inside the object (`ListObj.inline`), one
// allocation per pair. The buffer pointer then points into the object itself, which is sound
// only if that address lies inside the object's own allocation and stays put: checked here.
#if canImport(Glibc)
    import Testing
    @testable import CoLang

    @_silgen_name("malloc_usable_size") private func mallocUsableSize(_ block: UnsafeMutableRawPointer) -> Int

    @Test func aSmallListKeepsItsItemsInsideTheObject() {
        let items: [Value] = [Value(Int64(1)), Value(Int64(2))]
        let list = items.withUnsafeBufferPointer { ListObj(copying: $0) }
        let object = Unmanaged.passUnretained(list).toOpaque()
        let size = mallocUsableSize(object)
        #expect(size <= 88)  // an 80-byte object in a 96-byte chunk
        #expect(list.isInline)
        let inline = UnsafeMutableRawPointer(list.inlineItems)
        #expect(inline == list.itemsAddress)
        #expect(inline == UnsafeMutableRawPointer(list.inlineItems))  // the same each time
        #expect(inline - object >= 16 && inline - object + 2 * MemoryLayout<Value>.stride <= size)
        #expect(list[0].asInt == 1 && list[1].asInt == 2)

        // A third item moves them to a malloc'd buffer of twice the room.
        list.append(Value(Int64(3)))
        #expect(!list.isInline && list.capacity == 4)
        #expect(list.itemsAddress != inline)
        #expect(list.items.map(\.asInt) == [1, 2, 3])
        list.append(contentsOf: list)
        #expect(list.items.map(\.asInt) == [1, 2, 3, 1, 2, 3])

        // An empty list has the same room; one made for more starts outside.
        let empty = ListObj(capacity: 0)
        #expect(empty.isInline && empty.count == 0)
        empty.append(Value(Int64(7)))
        empty.insert(Value(Int64(6)), at: 0)
        #expect(empty.isInline && empty.items.map(\.asInt) == [6, 7])
        #expect(empty.removeLast().asInt == 7 && empty.remove(at: 0).asInt == 6 && empty.isEmpty)
        let big = ListObj(capacity: 3)
        #expect(!big.isInline && big.capacity == 4)  // growing at least doubles
    }
#endif
