// Issue 17, tenth session: a collection keeps dead lists of up to two items and strings of up to
// 16 bytes that nothing else holds (`Heap.spareLists`, `Heap.spareStrings`), and the next such
// lists and strings are those objects, filled again.
import Testing
@testable import CoLang

@Test func aCollectionKeepsDeadPairsAndTheNextPairsReuseThem() {
    var options = RunOptions()
    options.clock = .virtual
    var printed = ""
    let interp = Interpreter(options: options, stdout: { printed += $0 }, stderr: { printed += $0 })
    #expect(interp.evalREPL("let keep = [[1, 2], [3]]") == .ok)
    #expect(interp.evalREPL("for i in range(500) { let p = [i, i]; let q = [i]; let r = [i, i, i] }") == .ok)
    let heap = interp.vm.heap
    interp.vm.collectGarbage()
    let spares = heap.spareListCount
    #expect(spares >= 1000, "the dead pairs and singles are kept: \(spares)")
    #expect(spares < 1500, "the three-item lists, which own a buffer, are freed")

    // A two-item literal takes a spare; a three-item one does not.
    #expect(interp.evalREPL("let made = [7, 8]") == .ok)
    #expect(heap.spareListCount == spares - 1)
    #expect(interp.evalREPL("let big = [7, 8, 9]") == .ok)
    #expect(heap.spareListCount == spares - 1)
    #expect(interp.evalREPL("print(made, keep, big, len(made))") == .ok)
    #expect(printed == "[7, 8] [[1, 2], [3]] [7, 8, 9] 2\n")

    // Under a small memory limit fewer are kept, and going over the limit frees them first.
    var limited = RunOptions()
    limited.maxMemoryMB = 1
    let small = Interpreter(options: limited, stdout: { _ in }, stderr: { _ in })
    #expect(small.vm.heap.maxSpares == 1_048_576 / 8 / (ListObj.inlineEstimatedSize + StrObj.inlineEstimatedSize))
    #expect(small.evalREPL("for i in range(5000) { let p = [i, i] }") == .ok)
    small.vm.collectGarbage()
    #expect(small.vm.heap.spareListCount == small.vm.heap.maxSpares)
}

@Test func aCollectionKeepsDeadShortStringsAndNewStringsReuseThem() {
    let heap = Heap()
    let word = heap.string("word")
    var dead = Set<ObjectIdentifier>()
    for i in 0..<1000 {
        dead.insert(ObjectIdentifier(heap.string("w\(i)")))  // 2-4 bytes: in the object
        _ = heap.string("a string longer than sixteen bytes \(i)")  // in a block of its own
    }
    heap.collector.markObject(word)
    heap.sweep()
    #expect(heap.spareStringCount == 1000, "the short dead ones are kept, the long ones freed")
    #expect(heap.interned.count == 1 && heap.objects.count == 1)

    // A new short string is one of them, filled again and interned; a string found in the table,
    // or a long one, takes none.
    let made = heap.string("new-77")
    #expect(dead.contains(ObjectIdentifier(made)))
    #expect(heap.spareStringCount == 999)
    #expect(made.value == "new-77" && made.utf8Count == 6 && made.count == 6)
    #expect(made.hashCache == StrObj("new-77").hashCode)
    #expect(heap.string("new-" + "77") === made)
    #expect(heap.string("seventeen bytes!!").utf8Count == 17)  // new, but past the object's room
    #expect(heap.spareStringCount == 999)
    #expect(heap.string("word") === word)

    // Under a small memory limit, at most an eighth of it is spares.
    var limited = RunOptions()
    limited.maxMemoryMB = 1
    let small = Interpreter(options: limited, stdout: { _ in }, stderr: { _ in })
    #expect(small.evalREPL("for i in range(5000) { let s = \"s\" + str(i) }") == .ok)
    small.vm.collectGarbage()
    #expect(small.vm.heap.spareStringCount == small.vm.heap.maxSpares)
}
