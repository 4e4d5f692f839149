// Issue 17, tenth session: a collection keeps dead inline lists that nothing else holds
// (`Heap.spareLists`), and the next lists of up to two items are those objects, filled again.
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
    #expect(small.vm.heap.maxSpareLists == 1_048_576 / 8 / ListObj.inlineEstimatedSize)
    #expect(small.evalREPL("for i in range(5000) { let p = [i, i] }") == .ok)
    small.vm.collectGarbage()
    #expect(small.vm.heap.spareListCount == small.vm.heap.maxSpareLists)
}
