// Writing a whole text file (an SVG timeline, `:save`): to a temporary file beside it, then renamed
// over it, so a failed write never leaves half a file.
import Glibc

enum FileWriter {
    /// Writes `text` to `path`; returns nil, or why it could not (`strerror` text).
    static func write(_ text: String, to path: String) -> String? {
        let temporary = "\(path).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return reason(errno) }
        var failure: Int32 = Array(text.utf8).withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count, let base = buffer.baseAddress {
                let n = Glibc.write(descriptor, base + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return 0
        }
        if close(descriptor) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            return reason(failure)
        }
        return nil
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
