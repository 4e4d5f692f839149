// Reads a script's text from a file or a file descriptor, with the `cannot open` messages of exit 66.
import FoundationEssentials
import Glibc

enum SourceReader {
    struct Failure: Error {
        let message: String
        /// Set when the file was read but is not UTF-8: the bytes, for a located syntax error.
        var invalidUTF8: [UInt8]? = nil
    }

    /// No script is larger; reading more would only exhaust memory.
    static let maximumBytes = 64 << 20

    /// The whole file as UTF-8 text, or `colang: cannot open 'x.co': No such file or directory`.
    static func read(path: String) -> Result<String, Failure> {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return .failure(cannotOpen(path, errno)) }
        defer { close(descriptor) }
        return read(descriptor: descriptor, name: path)
    }

    /// Everything up to end of file on `descriptor` (standard input for `<stdin>`).
    static func read(descriptor: Int32, name: String) -> Result<String, Failure> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(cannotOpen(name, errno))
            }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumBytes {  // /dev/zero, a runaway pipe: not a script
                return .failure(Failure(message: "colang: cannot read '\(name)': larger than \(maximumBytes >> 20) MB"))
            }
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            return .failure(Failure(message: "colang: cannot read '\(name)': not valid UTF-8", invalidUTF8: bytes))
        }
        return .success(text)
    }

    private static func cannotOpen(_ name: String, _ code: Int32) -> Failure {
        Failure(message: "colang: cannot open '\(name)': \(String(cString: strerror(code)))")
    }
}
