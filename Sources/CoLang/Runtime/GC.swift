// The collector's roots: globals, method tables, the running chain, and every live task.

extension VM {
    /// Marks everything reachable from the roots and frees the rest. Only called at safe points,
    /// where every live value is in a fiber's stack, a global, or a task.
    func collectGarbage() {
        let gc = heap.collector
        scheduler.pruneLive()  // finished tasks are roots no longer (a long REPL session)
        for v in globalValues { gc.mark(v) }
        methods.forEachMethod { gc.mark($0) }
        for (_, v) in trampolines { gc.mark(v) }
        for v in extraRoots { gc.mark(v) }
        if let c = current { gc.markObject(c) }
        if let t = currentTask { gc.markObject(t) }
        if let m = mainTask { gc.markObject(m) }
        for t in scheduler.live { gc.markObject(t) }
        for t in scheduler.ready { gc.markObject(t) }
        for t in scheduler.urgent { gc.markObject(t) }
        for t in scheduler.paused { gc.markObject(t) }
        for t in scheduler.timers.sleepingTasks { gc.markObject(t) }
        for c in scheduler.timers.pendingChannels { gc.markObject(c) }
        heap.sweep()
        stepsAtLastCollection = steps
        if heap.liveBytes > memoryLimit {
            heap.releaseSpares()
            if heap.liveBytes > memoryLimit { memoryExceeded = true }
        }
        if options.maxMemoryMB != nil {
            heap.limitThreshold(maxObjects: max(memoryLimit / Heap.limitBytesPerObject, Heap.minimumLimitedObjects))
        }
    }

    /// Under `--max-memory`, every `memoryCheckInterval` steps: whether to collect now. A
    /// collection costs time in proportion to the live heap, so collecting at every check made
    /// a program that builds millions of small objects ~7 times slower with any limit (issue
    /// 17). Instead the heap's cheap estimate (`Heap.estimatedBytes`: the last collection's live
    /// bytes plus what was allocated or grown since) decides, and a full collection happens only
    /// when it passes the limit, or, as a safety net for growth the estimate does not see, once
    /// `stepsPerLiveObject` instructions per live object have run since the last one (so that one
    /// costs a few percent at most).
    func limitWantsCollection() -> Bool {
        stepsAtLastMeasure = steps
        if heap.estimatedBytes() > memoryLimit { return true }
        return steps &- stepsAtLastCollection >= max(VM.memoryCheckInterval, heap.objects.count &* VM.stepsPerLiveObject)
    }
}
