// PLACEHOLDER for flags that are parsed but that the library has no API for yet (--timeline, --explore).

/// `--timeline [FILE.svg]` needs a way to get the run's task timeline from the `Interpreter`
/// (a text chart, or an SVG written to a file); `--explore N` needs either that API in the library
/// (Tools/explorer) or is to be driven from here by running the script N times with
/// `schedule = .random` and seeds, grouping the captured outputs. Until then each prints a notice and
/// the script runs once, normally.
enum PendingFlags {
    static func warnAboutMissingSupport(_ command: ColangCommand) {
        if let timeline = command.timeline {
            let target = timeline == ArgumentSplit.textTimeline ? "" : " \(timeline)"
            notice("--timeline\(target)")
        }
        if let runs = command.explore { notice("--explore \(runs)") }
    }

    private static func notice(_ flag: String) {
        Output.writeStderr("colang: \(flag) is not available yet; running the script once as usual\n")
    }
}
