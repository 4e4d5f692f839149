// Text helpers the library needs without Foundation: printf-style number formatting, trimming
// and padding. (Foundation would pull in ICU and double the start-up time of `colang`.)
import Glibc

public enum CFormat {
    /// `format` with `args` as C's printf would write them, e.g. `CFormat.string("%.3g", x)`.
    public static func string(_ format: String, _ args: CVarArg...) -> String {
        var capacity = 64
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let written = withVaList(args) { vsnprintf(&buffer, capacity, format, $0) }
            if written < 0 { return "" }
            if Int(written) < capacity {
                return String(decoding: buffer.prefix(Int(written)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity = Int(written) + 1
        }
    }
}

extension String {
    /// Without leading and trailing white space and line breaks (Unicode's White_Space property).
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// Padded with spaces on the right to at least `width` characters.
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

// MARK: - Strings as code points

// CoLang strings are sequences of code points (Unicode scalars): two strings are equal when they
// hold the same code points, `<` orders them code point by code point, and nothing is normalised.
// Swift's `String ==`, `<`, hashing, `contains`, `split` and the like use canonical equivalence and
// grapheme clusters (`"e\u{301}" == "\u{E9}"`), so user strings never go through them: they are
// compared through their UTF-8 bytes. UTF-8 is self-synchronising and ordered like the code
// points it encodes, so byte equality is code-point equality, byte order is code-point order, and
// a byte match of a whole string always starts and ends on code point boundaries.

extension String {
    /// `body` with the UTF-8 bytes (contiguous for every native string; copied otherwise).
    @inline(__always)
    func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        var result: Result<R, E>?
        _ = utf8.withContiguousStorageIfAvailable { b in result = Result { () throws(E) in try body(b) } }
        if result == nil {
            ContiguousArray(utf8).withUnsafeBufferPointer { b in result = Result { () throws(E) in try body(b) } }
        }
        return try result.unsafelyUnwrapped.get()  // one of the two branches above ran `body`
    }

    /// Strings of at most this many UTF-8 bytes are compared without calling memcmp.
    static let shortByteCount = 16

    /// The same code points (not Swift's canonical equivalence).
    func codePointsEqual(_ other: String) -> Bool {
        let n = utf8.count
        if n != other.utf8.count { return false }
        if n == 0 { return true }
        let same = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in
                // Short strings (field names, words) byte by byte: calling memcmp for a few
                // bytes was 14% of bench/nbody (issue 17). Both buffers hold `n` bytes.
                if n <= String.shortByteCount {
                    for i in 0..<n where a[i] != b[i] { return false }
                    return true
                }
                return memcmp(a.baseAddress!, b.baseAddress!, n) == 0
            }
        }
        if let same, let same { return same }
        return utf8.elementsEqual(other.utf8)
    }

    /// Hashes the UTF-8 bytes (so equal code points hash alike).
    func hashCodePoints(into hasher: inout Hasher) {
        // The bytes are only read inside the closure.
        let done: Void? = utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil { for b in utf8 { hasher.combine(b) } }
        hasher.combine(utf8.count)
    }

    /// `parts` joined by `separator`, `byteCount` being the result's length in bytes, by copying
    /// bytes into one buffer: Swift's `joined(separator:)` took about 600 instructions a part
    /// (bench/words, issue 17). Sound: the parts and separators copied add up to `byteCount`,
    /// the buffer's capacity (`copy` refuses to overrun it).
    static func joining(_ parts: [String], separator: String, byteCount: Int) -> String {
        if parts.count == 1 { return parts[0] }
        if byteCount == 0 { return "" }
        return String(unsafeUninitializedCapacity: byteCount) { out in
            let base = out.baseAddress.unsafelyUnwrapped
            var at = 0
            separator.withBytes { sep in
                for (i, part) in parts.enumerated() {
                    if i > 0 { String.copy(sep, to: base, at: &at, capacity: byteCount) }
                    part.withBytes { String.copy($0, to: base, at: &at, capacity: byteCount) }
                }
            }
            assert(at == byteCount, "join's byte count")
            return at
        }
    }

    /// Copies `bytes` to `base + at` and moves `at` past them: a step of building a string of
    /// `capacity` bytes in place (`joining`, `VM.concatenated`), which must not overrun it.
    @inline(__always)
    static func copy(_ bytes: UnsafeBufferPointer<UInt8>, to base: UnsafeMutablePointer<UInt8>, at: inout Int, capacity: Int) {
        guard bytes.count > 0 else { return }
        precondition(at + bytes.count <= capacity, "a string built in place overruns its buffer")
        (base + at).update(from: bytes.baseAddress.unsafelyUnwrapped, count: bytes.count)
        at += bytes.count
    }

    /// A string of `bytes`, which are valid UTF-8 (a slice of one cut at code point boundaries).
    /// Sound: exactly `bytes.count` bytes are copied into a buffer of that capacity.
    static func fromUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { out in
            if bytes.count > 0 { out.baseAddress!.update(from: bytes.baseAddress!, count: bytes.count) }
            return bytes.count
        }
    }
}

/// A user string as a dictionary key (map keys, the compiler's constant table): equal and hashed
/// by code points.
struct CodePoints: Hashable {
    let string: String
    init(_ string: String) { self.string = string }
    static func == (a: CodePoints, b: CodePoints) -> Bool { a.string.codePointsEqual(b.string) }
    func hash(into hasher: inout Hasher) { string.hashCodePoints(into: &hasher) }
}

/// Unicode's White_Space property, from a code point.
@inline(__always) func isWhiteSpace(_ c: UInt32) -> Bool {
    switch c {
    case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
    default: return false
    }
}

/// Decodes the code point starting at `i` of valid UTF-8 `b`: the code point and its length.
/// In bounds because `b` is valid UTF-8 and `i` starts a code point, so its continuation bytes exist.
@inline(__always) func decodeUTF8(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
    let b0 = UInt32(b[i])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F), 2) }
    if b0 < 0xF0 { return ((b0 & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F), 3) }
    return ((b0 & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6 | UInt32(b[i + 3] & 0x3F), 4)
}
