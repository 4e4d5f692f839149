// The program clock: real (monotonic, blocking in the OS to wait) or virtual (jumps to the next timer).
import FoundationEssentials
import Glibc

final class Clock {
    var kind: ClockKind
    private var startNanos: UInt64
    private var virtualNow: Double = 0

    init(kind: ClockKind) {
        self.kind = kind
        self.startNanos = Clock.monotonicNanos()
    }

    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Seconds since the program started.
    var now: Double {
        switch kind {
        case .virtual: return virtualNow
        case .real: return Double(Clock.monotonicNanos() &- startNanos) / 1e9
        }
    }

    /// Waits until `time`: the virtual clock jumps there; the real clock sleeps in the OS.
    func wait(until time: Double) {
        switch kind {
        case .virtual:
            if time > virtualNow { virtualNow = time }
        case .real:
            // At most a day per wait: the loop waits again if needed (and `sleep(1e300)` cannot trap).
            let delta = min(time - now, 86_400)
            if delta > 0 {
                var ts = timespec(tv_sec: Int(delta), tv_nsec: Int((delta - Double(Int(delta))) * 1e9))
                nanosleep(&ts, nil)
            }
        }
    }

    /// Switches kind, keeping `now` continuous.
    func switchTo(_ newKind: ClockKind) {
        if newKind == kind { return }
        let t = now
        kind = newKind
        switch newKind {
        case .virtual: virtualNow = t
        case .real: startNanos = Clock.monotonicNanos() &- UInt64(max(t, 0) * 1e9)
        }
    }
}
