// The heap's object list (ObjectList.swift) holds its objects by raw strong references: these
// check that it keeps what it should, frees what it should, once, and keeps the order.
import Testing
@testable import CoLang

/// An object that says when it is freed.
private final class Probe: Obj {
    let n: Int
    let freed: (Int) -> Void
    init(_ n: Int, freed: @escaping (Int) -> Void) { self.n = n; self.freed = freed }
    deinit { freed(n) }
}

private final class FreedLog { var numbers: [Int] = [] }

@Test func theObjectListKeepsSurvivorsInOrderAndFreesTheRestOnce() {
    let log = FreedLog()
    var list = ObjectList()
    weak var firstOdd: Obj?
    // Past the initial capacity, so the list grows (moving its references) twice.
    let total = ObjectList.initialCapacity * 3 + 5
    for n in 0..<total {
        let p = Probe(n) { log.numbers.append($0) }
        if n == 7 { firstOdd = p }
        list.append(p)
    }
    #expect(list.count == total)
    #expect(list.capacity >= total)
    #expect(log.numbers.isEmpty)

    // Keep the even ones: the odd ones are freed, each once, and only by the sweep; except
    // that the ones numbered 1 mod 4 are taken by `recycle`, and number 3, which something
    // else holds too, is neither offered to it nor freed.
    var held: Obj? = list.with(3) { $0 }
    var asked = 0
    var recycled: [Unmanaged<Obj>] = []
    list.sweep { o in
        asked += 1
        #expect(log.numbers.isEmpty, "every object is asked before any is freed")
        return (o as! Probe).n % 2 == 0
    } recycle: { u in
        let n = u._withUnsafeGuaranteedRef { ($0 as! Probe).n }
        #expect(n % 2 == 1, "only the dead are offered")
        #expect(n != 3, "an object held elsewhere is never offered")
        guard n % 4 == 1 else { return false }
        recycled.append(u)
        return true
    }
    #expect(asked == total)
    #expect(list.count == (total + 1) / 2)
    #expect(log.numbers.sorted() == Array(stride(from: 7, to: total, by: 4)))
    #expect(firstOdd == nil)
    for i in 0..<list.count { #expect(list.with(i) { ($0 as! Probe).n } == 2 * i) }
    // The taken references are the taker's, the held one the holder's, each freed once.
    #expect(recycled.map { u in u._withUnsafeGuaranteedRef { ($0 as! Probe).n } }.sorted() == Array(stride(from: 1, to: total, by: 4)))
    held = nil
    for u in recycled { u.release() }
    #expect(held == nil)
    #expect(log.numbers.sorted() == Array(stride(from: 1, to: total, by: 2)))

    // Appending after a sweep reuses the slots; releasing everything frees the rest once.
    list.append(Probe(-1) { log.numbers.append($0) })
    #expect(list.with(list.count - 1) { ($0 as! Probe).n } == -1)
    log.numbers = []
    let left = list.count
    list.releaseAll()
    #expect(log.numbers.count == left)
    #expect(Set(log.numbers).count == left)
}
