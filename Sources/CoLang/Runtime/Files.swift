// Whole-file text I/O: read_file, write_file and lines (README, "Files"). Regular files are read
// and written at once and never make a task wait; anything else (a FIFO, a device, a directory)
// is refused with the system's reason, so a builtin can never block the whole loop.
import FoundationEssentials
import Glibc

extension VM {
    func installFileBuiltins() {
        native("read_file", 1, 1) { vm, a throws(VMError) in
            let path = try vm.filePath(a[0], "read_file")
            return vm.newString(try vm.readWholeFile(path))
        }
        native("lines", 1, 1) { vm, a throws(VMError) in
            let path = try vm.filePath(a[0], "lines")
            let text = try vm.readWholeFile(path)
            let items = ListObj(capacity: 0)  // built in place: a big file's lines are not copied
            var line = Substring.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                if scalar == "\n" {
                    if line.last == "\r" { line.removeLast() }
                    try vm.chargeWork()
                    items.append(vm.newString(String(line)))
                    line = Substring.UnicodeScalarView()
                } else {
                    line.append(scalar)
                }
            }
            // A last line without a newline is still a line.
            if !line.isEmpty {
                if line.last == "\r" { line.removeLast() }
                items.append(vm.newString(String(line)))
            }
            return vm.heap.adopt(items, tag: .list)
        }
        native("write_file", 2, 2) { vm, a throws(VMError) in
            let path = try vm.filePath(a[0], "write_file")
            let text = try vm.stringArg(a[1], "write_file's second argument")
            try vm.writeWholeFile(path, text)
            return .nil
        }
    }

    /// The path argument of a file builtin; under `--sandbox`, the sandbox's error instead.
    private func filePath(_ v: Value, _ name: String) throws(VMError) -> String {
        if options.sandbox { throw fail(VM.sandboxMessage) }
        return try stringArg(v, "\(name)'s path")
    }

    /// The error of every file and network call under `--sandbox`.
    static let sandboxMessage = "file and network access are off (--sandbox)"

    /// The whole text of the regular file at `path`, as UTF-8 (invalid bytes become U+FFFD).
    /// Opened without blocking, and refused unless it is a regular file, so that a FIFO or a
    /// terminal cannot stop the loop; a file bigger than the memory limit is refused before it is read.
    func readWholeFile(_ path: String) throws(VMError) -> String {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 { throw fail("cannot read '\(path)': \(VM.reason(errno))") }
        defer { Glibc.close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw fail("cannot read '\(path)': \(VM.reason(errno))") }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw fail("cannot read '\(path)': \(VM.reason(EISDIR))") }
        if (info.st_mode & S_IFMT) != S_IFREG { throw fail("cannot read '\(path)': not a regular file") }
        if Int(info.st_size) > memoryLimit { throw fail(memoryLimitMessage) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: VM.textChunk)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("cannot read '\(path)': \(VM.reason(errno))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > memoryLimit { throw fail(memoryLimitMessage) }  // it grew while read
            try chargeText(n)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `text` as the whole content of the file at `path` (created with mode 0644 when
    /// missing). Opened without blocking: a FIFO with no reader is an error, not a hang.
    func writeWholeFile(_ path: String, _ text: String) throws(VMError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0o644)
        if fd < 0 { throw fail("cannot write '\(path)': \(VM.reason(errno))") }
        defer { Glibc.close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            throw fail("cannot write '\(path)': not a regular file")
        }
        var utf8 = Array(text.utf8)
        var offset = 0
        while offset < utf8.count {
            let n = utf8.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("cannot write '\(path)': \(VM.reason(errno))")
            }
            offset += n
            try chargeText(n)
        }
    }
}
