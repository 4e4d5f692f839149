// What one run of `colang` was asked to do: the command line's flags as plain values.
import CoLang

/// The flags and positionals of one `colang` command line (see `ColangCommand` for their meaning).
struct Invocation {
    var code: String? = nil
    var clock: ClockKind? = nil
    var seed: UInt64? = nil
    var dis = false
    var trace = false
    var traceSched = false
    var traceCoroutines = false
    var timeline: String? = nil
    /// `--record FILE.html`: the page that replays the run.
    var record: String? = nil
    var schedule: ScheduleChoice = .fifo
    var explore: Int? = nil
    var maxSteps: Int? = nil
    var maxMemory: Int? = nil
    var preempt: Int? = nil
    var gcStress = false
    var sandbox = false
    var file: String? = nil
    var arguments: [String] = []

    /// The library's settings for these flags.
    var runOptions: RunOptions {
        var options = RunOptions()
        options.clock = clock ?? .real
        // A limit beyond a petabyte is no limit (and would overflow the byte count).
        options.maxMemoryMB = maxMemory.map { min($0, 1 << 30) }
        options.seed = seed
        options.trace = trace
        options.traceScheduler = traceSched
        options.traceCoroutines = traceCoroutines
        options.schedule = schedule.policy
        options.maxSteps = maxSteps
        options.scriptArgs = scriptArgs
        options.gcStress = gcStress
        options.preempt = preempt
        options.sandbox = sandbox
        return options
    }

    /// With `-e` every positional is a script argument; otherwise those after FILE are.
    var scriptArgs: [String] { code == nil ? arguments : (file.map { [$0] } ?? []) + arguments }
}
