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
        if heap.liveBytes > memoryLimit { memoryExceeded = true }
        if options.maxMemoryMB != nil {
            heap.limitThreshold(maxObjects: max(memoryLimit / Heap.limitBytesPerObject, Heap.minimumLimitedObjects))
        }
    }
}
