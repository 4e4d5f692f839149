// The REPL's persistent history: ~/.colang_history, or the file named by COLANG_HISTORY.
import CReadline
import FoundationEssentials
import Glibc

struct History {
    static let maximumEntries: Int32 = 1000
    /// `nil` when there is no home directory: history then lasts only for the session.
    let path: String?
    private var lastAdded: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let override = environment["COLANG_HISTORY"], !override.isEmpty {
            path = override
        } else if let home = environment["HOME"], !home.isEmpty {
            path = home + "/.colang_history"
        } else {
            path = nil
        }
    }

    /// Loads earlier sessions' lines; creates the file so later appends have somewhere to go.
    func load() {
        stifle_history(Self.maximumEntries)
        guard let path else { return }
        if read_history(path) != 0 {
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            if fd >= 0 { close(fd) }
        }
        history_truncate_file(path, Self.maximumEntries)
    }

    /// Records one entered line, in memory and at the end of the file (blank lines and repeats skipped).
    mutating func add(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace), line != lastAdded else { return }
        lastAdded = line
        add_history(line)
        if let path { append_history(1, path) }
    }
}
