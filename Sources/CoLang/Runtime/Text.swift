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
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
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
