// Splits argv into the options `colang` parses and the positionals (FILE, then the script's ARGS).

/// Everything from the first positional on (FILE and its ARGS) is passed on untouched, even words
/// that look like flags, so `colang x.co --seed 3` gives the script `args == ["--seed", "3"]`.
struct ArgumentSplit {
    /// Options that consume the next word as their value; keep in sync with `ColangCommand`.
    static let optionsWithValue: Set<String> = [
        "-e", "--clock", "--seed", "--schedule", "--explore", "--max-steps", "--max-memory", "--preempt", "--record",
    ]
    /// `--timeline` alone means "text chart"; ArgumentParser has no optional values, so it is
    /// rewritten to `--timeline=-` unless the next word is the SVG file.
    static let timelineFlag = "--timeline"
    static let textTimeline = "-"

    private(set) var options: [String] = []
    private(set) var positionals: [String] = []

    init(_ arguments: [String]) {
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" { positionals = Array(arguments[(index + 1)...]); return }
            if word == "-" || !word.hasPrefix("-") { positionals = Array(arguments[index...]); return }
            index += 1 + consumeOption(word, next: index + 1 < arguments.count ? arguments[index + 1] : nil)
        }
    }

    /// Appends one option (and its value) and returns how many following words it used.
    private mutating func consumeOption(_ word: String, next: String?) -> Int {
        if word == Self.timelineFlag {
            // A picture file that is not SVG (`chart.png`) is meant as the chart, not the script:
            // it goes to the option so that `ColangCommand.validate` says it must end in .svg.
            let svg = next.flatMap { $0.hasSuffix(".svg") || Self.looksLikeAPicture($0) ? $0 : nil }
            options.append("\(Self.timelineFlag)=\(svg ?? Self.textTimeline)")
            return svg == nil ? 0 : 1
        }
        options.append(word)
        guard Self.optionsWithValue.contains(word), let next else { return 0 }
        options.append(next)
        return 1
    }

    /// The text after the last dot of the file name in `path`, if it has one.
    static func fileExtension(_ path: String) -> String? {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        return String(name[name.index(after: dot)...])
    }

    static func looksLikeAPicture(_ word: String) -> Bool {
        let pictures = ["png", "jpg", "jpeg", "gif", "pdf", "webp", "bmp", "tif", "tiff", "html", "htm", "txt"]
        guard let dot = word.lastIndex(of: "."), !word.hasPrefix("-") else { return false }
        return pictures.contains(word[word.index(after: dot)...].lowercased())
    }

    /// What ArgumentParser sees: the options, then `--` and the positionals as plain values.
    var parserArguments: [String] { positionals.isEmpty ? options : options + ["--"] + positionals }
}
