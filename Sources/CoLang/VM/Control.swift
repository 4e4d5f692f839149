// How control leaves running code: the stops the dispatch loop returns to the scheduler, the
// results natives return to the dispatch loop, and the transfers between a coroutine and its resumer.

/// Why `execute` returned to the scheduler.
enum ExecStop {
    /// The task's root function returned this value.
    case finished(Value)
    /// The task gave up its turn (`yield` outside a coroutine, `sleep(0)`, a used-up time slice).
    case yielded
    /// The task waits (sleeping or blocked); `Scheduler.block` has registered what it waits on.
    case blocked
    /// A cancellation unwound the task's root fiber: the task ends `cancelled`.
    case cancelled
    /// An error left the task's root function.
    case failed(Value)
    /// Ctrl-C.
    case interrupted
}

/// What a control native (one registered with `controlNative` or `controlMethod`) tells the
/// dispatch loop. Natives that only compute return a plain `Value` instead, so the type says
/// which builtins can move control; there is no sentinel value and no side channel.
enum NativeResult {
    /// An ordinary result: pushed in place of the call, and the loop goes on.
    case value(Value)
    /// Go on by calling `callee(args)` in the native's place, in the same stack slots (for
    /// builtins written partly in CoLang, so that `yield` works inside them). `args` may not
    /// outnumber the native's own arguments.
    case tailCall(callee: Value, args: [Value])
    /// Control moved to another fiber of the task (`resume`, `send`, `throw` into a
    /// coroutine): the loop reloads its registers from it and, with `raising`, raises that
    /// value where the fiber is paused.
    case switched(raising: Value?)
    /// The task waits on `target` until the scheduler wakes it with the operation's result.
    case block(on: WaitTarget)
    /// Back to the scheduler at once: `.yielded`, `.cancelled` or `.interrupted`.
    case stop(ExecStop)
}

/// Why control moves between the running fiber and another fiber of its task; see `VM.transfer`.
enum Transfer {
    /// Down the chain: the running fiber resumes `co` (created or suspended), which becomes the
    /// innermost fiber. `value` is pushed as the result of its `yield` (nil for a start or a
    /// `throw`); `exit`, when not -1, is where the resumer continues once `co` returns (`for`
    /// loops and `yield from`).
    case resume(Unmanaged<Fiber>, value: Value?, exit: Int)
    /// Up the chain: the running coroutine pauses at `yield v`; `v` goes to its resumer.
    case yield(Value)
    /// Up the chain: the running coroutine's function returned this value.
    case finish(Value)
    /// Up the chain: an error left the running coroutine (the resumer goes on unwinding it).
    case fail
    /// Up the chain: a close or a cancellation left the running coroutine, which ends `done`
    /// (the resumer goes on unwinding it).
    case unwound
}

extension Transfer {
    var isFail: Bool {
        if case .fail = self { return true }
        return false
    }
}
