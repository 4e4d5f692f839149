// Writing a whole text file (an SVG timeline, `:save`) the way a careful editor does:
// - a new file, or an existing regular file: written to a temporary file beside it, then renamed
//   over it, so a failed write never leaves half a file (an existing file keeps its permissions);
// - a symbolic link: the same, at the file it points to, so the link stays a link;
// - anything else that exists (a FIFO, a terminal, /dev/null, /dev/full): written into, never
//   replaced by a regular file, and a failed write (/dev/full: no space) is reported.
import Glibc

enum FileWriter {
    /// Writes `text` to `path`; returns nil, or why it could not (`strerror` text).
    static func write(_ text: String, to path: String) -> String? {
        var target = path
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK {
            // Follow the link; a dangling one names the file to create.
            guard let resolved = resolveLink(path) else { return reason(errno) }
            target = resolved
        }
        let exists = stat(target, &info) == 0
        if exists && (info.st_mode & S_IFMT) == S_IFDIR { return reason(EISDIR) }
        if exists && (info.st_mode & S_IFMT) != S_IFREG { return writeInto(text, special: target) }
        return replace(target, with: text, mode: exists ? info.st_mode & 0o7777 : 0o644)
    }

    /// Temporary file, then rename: the file at `path` is either the old one or the whole new one.
    private static func replace(_ path: String, with text: String, mode: mode_t) -> String? {
        let temporary = "\(path).\(getpid()).tmp"
        // O_EXCL | O_NOFOLLOW: never write through something planted at the temporary name.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { return reason(errno) }
        var failure = writeAll(text, to: descriptor)
        if failure == 0 && fchmod(descriptor, mode) != 0 { failure = errno }  // despite the umask
        if close(descriptor) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            return reason(failure)
        }
        return nil
    }

    /// A FIFO or a device: opened as it is (no create, no rename) and written.
    private static func writeInto(_ text: String, special path: String) -> String? {
        // Non-blocking open, so a FIFO nobody reads is an error instead of a hang; then blocking
        // writes, so a slow reader gets everything.
        let descriptor = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            return errno == ENXIO ? "nothing is reading from it (a FIFO)" : reason(errno)
        }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        var failure = writeAll(text, to: descriptor)
        if close(descriptor) != 0 && failure == 0 { failure = errno }
        return failure == 0 ? nil : reason(failure)
    }

    /// Writes every byte, retrying short writes and EINTR; returns 0 or the errno.
    private static func writeAll(_ text: String, to descriptor: Int32) -> Int32 {
        Array(text.utf8).withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count, let base = buffer.baseAddress {
                let n = Glibc.write(descriptor, base + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { return EIO }
                done += n
            }
            return 0
        }
    }

    /// Where the symbolic link at `path` leads, after every further link (at most 40, as the
    /// kernel allows); a relative target is taken from the link's own directory.
    private static func resolveLink(_ path: String) -> String? {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n >= 0 else { return nil }
            let link = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if link.hasPrefix("/") {
                current = link
            } else if let slash = current.lastIndex(of: "/") {
                current = String(current[...slash]) + link
            } else {
                current = link
            }
        }
        errno = ELOOP
        return nil
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
