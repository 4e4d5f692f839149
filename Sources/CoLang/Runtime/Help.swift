// `help(x)` and `help()`, and the tables of docs/reference.md: one table of entries, read by both.
// Tests/CoLangTests/ReferenceTests.swift checks that docs/reference.md holds every entry's row
// (`HelpEntry.markdownRow`) verbatim and that every builtin, method, field and keyword of the
// running VM has an entry (docs/DECISIONS.md, "help and the reference: one Swift table").

/// What one builtin, method, field or keyword does, with a one-line example.
struct HelpEntry {
    enum Kind: Equatable {
        case builtin
        /// A global that is not a function (`args`).
        case variable
        /// A method of the named type (`"list"`).
        case method(String)
        /// A field of the named type.
        case field(String)
        case keyword
    }

    let kind: Kind
    let name: String
    /// How it is written: `xs.push(v)`, `range(start, stop, step)`, `yield v`.
    let usage: String
    let summary: String
    /// One line of CoLang.
    let example: String

    /// What `help(x)` prints for this entry.
    var text: String {
        "\(usage): \(kindText)\n  \(summary)\n  example: \(example)\n"
    }

    var kindText: String {
        switch kind {
        case .builtin: return "builtin function"
        case .variable: return "builtin variable"
        case .method(let type): return "\(type) method"
        case .field(let type): return "\(type) field"
        case .keyword: return "keyword"
        }
    }

    /// This entry's row in docs/reference.md's tables (`| usage | summary | example |`).
    var markdownRow: String {
        func cell(_ s: String) -> String { s.replacingAll("|", with: "\\|") }
        return "| `\(cell(usage))` | \(cell(summary)) | `\(cell(example))` |"
    }
}

extension String {
    /// `self` with every `target` replaced (FoundationEssentials has no `replacingOccurrences`).
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}

enum Help {
    /// The groups of entries, in the order `help()` and docs/reference.md list them.
    static let groups: [(title: String, entries: [HelpEntry])] = [
        ("builtins", builtins),
        ("list methods", methods("list")), ("map methods", methods("map")), ("string methods", methods("string")),
        ("coroutine methods", methods("coroutine")), ("task methods", methods("task")),
        ("channel methods", methods("channel")), ("listener methods", methods("listener")),
        ("connection methods", methods("connection")),
        ("fields", fields), ("keywords", keywords),
    ]

    static var all: [HelpEntry] { groups.flatMap(\.entries) }

    static func entries(named name: String) -> [HelpEntry] { all.filter { $0.name == name } }

    private static func methods(_ type: String) -> [HelpEntry] {
        methodEntries.filter { $0.kind == .method(type) }
    }

    private static func builtin(_ name: String, _ usage: String, _ summary: String, _ example: String) -> HelpEntry {
        HelpEntry(kind: .builtin, name: name, usage: usage, summary: summary, example: example)
    }

    private static func method(_ type: String, _ name: String, _ usage: String, _ summary: String, _ example: String) -> HelpEntry {
        HelpEntry(kind: .method(type), name: name, usage: usage, summary: summary, example: example)
    }

    private static func field(_ type: String, _ name: String, _ usage: String, _ summary: String, _ example: String) -> HelpEntry {
        HelpEntry(kind: .field(type), name: name, usage: usage, summary: summary, example: example)
    }

    private static func keyword(_ name: String, _ usage: String, _ summary: String, _ example: String) -> HelpEntry {
        HelpEntry(kind: .keyword, name: name, usage: usage, summary: summary, example: example)
    }

    // The entries are CoLang text, one line each: the formatter leaves their layout alone.
    // swift-format-ignore
    static let builtins: [HelpEntry] = [
        builtin("abs", "abs(x)", "the absolute value of an int or float, of the same type", "abs(-3)   # 3"),
        builtin("after", "after(seconds)", "a new channel that receives now() once after that delay and is then closed: a timeout for select", "select(ch, after(0.5))   # ch, or give up after half a second"),
        HelpEntry(kind: .variable, name: "args", usage: "args", summary: "the list of words after the script's file name on the command line", example: "if len(args) > 0 { print(\"hello, ${args[0]}\") }"),
        builtin("assert", "assert(cond, msg)", "fails with the error 'assertion failed: msg' when cond is nil or false (msg is optional)", "assert(len(xs) > 0, \"xs is empty\")"),
        builtin("ceil", "ceil(x)", "the smallest int not below x", "ceil(2.1)   # 3"),
        builtin("channel", "channel(n)", "a channel that buffers n values; channel() is unbuffered (a send waits for a receiver)", "let ch = channel(10)"),
        builtin("connect", "connect(host, port)", "a TCP connection to host (an IP address or localhost), waiting while it connects", "let c = connect(\"127.0.0.1\", 8080)"),
        builtin("coroutine", "coroutine(f, args...)", "a coroutine that will run f(args...) on its own stack; created, not started", "let co = coroutine(counter, 3)"),
        builtin("cpu_time", "cpu_time()", "the CPU seconds this process has used (user + system), real on either clock", "let busy = cpu_time()"),
        builtin("current_task", "current_task()", "the running task", "print(current_task().name)   # main"),
        builtin("error", "error(msg)", "a new error value whose .message is msg, to throw", "throw error(\"out of stock\")"),
        builtin("float", "float(x)", "an int, bool or numeric string as a float", "float(\"2.5\") * 2   # 5.0"),
        builtin("floor", "floor(x)", "the largest int not above x", "floor(-2.5)   # -3"),
        builtin("help", "help(x)", "what a builtin, method, field or keyword does, with an example; help() lists them all", "help(\"yield\")"),
        builtin("http_get", "http_get(url)", "a plain http:// GET, written in CoLang: a map with status, headers and body", "print(http_get(\"http://127.0.0.1:8080/\").status)"),
        builtin("input", "input(prompt)", "prints the prompt and reads a line of standard input without its newline; nil at end of input", "let name = input(\"name? \")"),
        builtin("int", "int(x)", "a float (toward zero), bool or numeric string as an int", "int(\"42\") + int(3.9)   # 45"),
        builtin("keys", "keys(m)", "the keys of map m in insertion order", "keys({a: 1, b: 2})   # [\"a\", \"b\"]"),
        builtin("len", "len(x)", "the length of a string (in code points), list, map or range, or the values buffered in a channel", "len(\"héllo\")   # 5"),
        builtin("lines", "lines(path)", "the lines of a text file, without their line breaks", "for line in lines(\"notes.txt\") { print(line) }"),
        builtin("list", "list(iterable)", "a new list of the elements of any iterable, coroutines and channels included; list() is []", "list(\"abc\")   # [\"a\", \"b\", \"c\"]"),
        builtin("listen", "listen(host, port)", "a listener accepting TCP connections on host:port (port 0 picks a free one)", "let l = listen(\"127.0.0.1\", 0)"),
        builtin("max", "max(a, b, ...)", "the largest argument, or the largest element of a single list", "max([3, 1, 2])   # 3"),
        builtin("min", "min(a, b, ...)", "the smallest argument, or the smallest element of a single list", "min(3, 1, 2)   # 1"),
        builtin("now", "now()", "seconds since the program started, as a float (virtual seconds under --clock virtual)", "let start = now()"),
        builtin("print", "print(values...)", "writes the values separated by spaces, then a newline (strings without quotes)", "print(\"sum:\", 1 + 2)   # sum: 3"),
        builtin("random", "random(a, b)", "an int from a to b inclusive; random() is a float in [0, 1); --seed N repeats a run", "random(1, 6)   # a die"),
        builtin("range", "range(start, stop, step)", "the ints from start (default 0) up to, not including, stop, by step (default 1), made lazily", "list(range(1, 10, 3))   # [1, 4, 7]"),
        builtin("read_file", "read_file(path)", "the whole text file as a string", "let text = read_file(\"notes.txt\")"),
        builtin("round", "round(x, digits)", "round(x) is the nearest int, halves to even; with digits, a float rounded to that many decimals", "round(2.5)   # 2"),
        builtin("select", "select(op, ...)", "waits for the first ready channel operation (ch: receive, [ch, v]: send), performs only it and returns [\"recv\", ch, v], [\"send\", ch, nil] or [\"closed\", ch, nil]", "let r = select(requests, [replies, \"ok\"])"),
        builtin("sleep", "sleep(seconds)", "suspends the calling task for that long while other tasks run; sleep(0) gives up the turn", "sleep(0.5)"),
        builtin("sqrt", "sqrt(x)", "the square root, a float (a negative x: math domain error)", "sqrt(16)   # 4.0"),
        builtin("str", "str(x)", "x as text, as print shows it", "str(1.0) + \"!\"   # \"1.0!\""),
        builtin("tasks", "tasks()", "the list of unfinished tasks", "for t in tasks() { print(t.name, t.status) }"),
        builtin("type", "type(x)", "the name of x's type: nil bool int float string list map range function coroutine task channel error listener connection", "type(print)   # \"function\""),
        builtin("write_file", "write_file(path, s)", "replaces the file's content with the text s, creating the file; returns nil", "write_file(\"out.txt\", \"hello\\n\")"),
    ]

    // swift-format-ignore
    static let methodEntries: [HelpEntry] = [
        method("list", "push", "xs.push(v)", "adds v at the end of the list; returns nil", "xs.push(4)"),
        method("list", "pop", "xs.pop(i)", "removes and returns the element at index i, or the last one without i", "let last = xs.pop()"),
        method("list", "insert", "xs.insert(i, v)", "puts v before index i (at the end if i is past it); returns nil", "xs.insert(0, \"first\")"),
        method("list", "remove", "xs.remove(v)", "removes the first element equal to v; true if there was one", "[1, 2, 1].remove(1)   # true, leaves [2, 1]"),
        method("list", "contains", "xs.contains(v)", "whether an element is equal to v", "[1, 2].contains(2)   # true"),
        method("list", "join", "xs.join(sep)", "the elements as text (as str), separated by sep (default none)", "[1, 2, 3].join(\", \")   # \"1, 2, 3\""),
        method("list", "slice", "xs.slice(a, b)", "a new list of the elements from index a up to, not including, b (negative from the end; b optional)", "[1, 2, 3, 4].slice(1, -1)   # [2, 3]"),
        method("list", "sort", "xs.sort(key)", "sorts the list in place, ascending and stably, by key(x) when a key function is given; returns nil", "words.sort(fn(w) { return len(w) })"),
        method("list", "reverse", "xs.reverse()", "reverses the list in place; returns nil", "xs.reverse()"),
        method("list", "map", "xs.map(f)", "a new list of f(x) for every element (f may yield)", "[1, 2].map(fn(x) { return x * 10 })   # [10, 20]"),
        method("list", "filter", "xs.filter(f)", "a new list of the elements for which f(x) is truthy (f may yield)", "[1, 2, 3].filter(fn(x) { return x % 2 == 1 })   # [1, 3]"),
        method("map", "keys", "m.keys()", "the keys in insertion order", "{a: 1, b: 2}.keys()   # [\"a\", \"b\"]"),
        method("map", "values", "m.values()", "the values in insertion order", "{a: 1, b: 2}.values()   # [1, 2]"),
        method("map", "has", "m.has(k)", "whether the map has the key k (a key whose value is nil counts)", "{a: nil}.has(\"a\")   # true"),
        method("map", "remove", "m.remove(k)", "removes key k and returns its value (nil if it was missing)", "stock.remove(\"eggs\")"),
        method("string", "upper", "s.upper()", "the string in upper case (Unicode, no locale)", "\"straße\".upper()   # \"STRASSE\""),
        method("string", "lower", "s.lower()", "the string in lower case (Unicode, no locale)", "\"CoLang\".lower()   # \"colang\""),
        method("string", "split", "s.split(sep)", "the pieces between occurrences of sep; s.split() splits at runs of white space", "\"a,b,c\".split(\",\")   # [\"a\", \"b\", \"c\"]"),
        method("string", "trim", "s.trim()", "the string without white space at both ends", "\"  hi \".trim()   # \"hi\""),
        method("string", "contains", "s.contains(t)", "whether t occurs in s", "\"coroutine\".contains(\"rout\")   # true"),
        method("string", "starts_with", "s.starts_with(t)", "whether s begins with t", "\"colang\".starts_with(\"co\")   # true"),
        method("string", "ends_with", "s.ends_with(t)", "whether s ends with t", "\"main.co\".ends_with(\".co\")   # true"),
        method("string", "replace", "s.replace(old, new)", "s with every occurrence of old replaced by new, from the left", "\"a-b-c\".replace(\"-\", \"+\")   # \"a+b+c\""),
        method("string", "slice", "s.slice(a, b)", "the code points from index a up to, not including, b (negative from the end; b optional)", "\"coroutine\".slice(0, 4)   # \"coro\""),
        method("coroutine", "resume", "co.resume(v)", "runs the coroutine to its next yield (which evaluates to v) or its end; returns the yielded or returned value", "co.resume()"),
        method("coroutine", "next", "co.next()", "co.resume(nil): the next value a generator yields", "print(co.next())"),
        method("coroutine", "send", "co.send(v)", "delivers v to the paused yield, first running a created coroutine to its first yield; returns what it yields next", "c.send(7)"),
        method("coroutine", "throw", "co.throw(e)", "raises e at the paused yield; returns what it yields next if it catches e", "co.throw(error(\"stop\"))"),
        method("coroutine", "close", "co.close()", "ends the coroutine: a suspended one unwinds from its yield, running its finally blocks (not its catch blocks); then done", "co.close()"),
        method("task", "join", "t.join()", "waits for the task to finish and returns its result, or rethrows its error", "let dish = t.join()"),
        method("task", "cancel", "t.cancel()", "stops the task: one that has not started never runs, one that has is unwound through its finally blocks; then cancelled", "t.cancel()"),
        method("channel", "send", "ch.send(v)", "puts v on the channel, waiting while it is full (unbuffered: until a receiver takes it)", "ch.send(\"job 1\")"),
        method("channel", "recv", "ch.recv()", "takes the next value, waiting while the channel is empty; nil once it is closed and drained", "let job = ch.recv()"),
        method("channel", "close", "ch.close()", "closes the channel: receivers drain what is buffered, then get nil; a send fails", "ch.close()"),
        method("listener", "accept", "l.accept()", "waits for a client and returns its connection; nil once the listener is closed", "let c = l.accept()"),
        method("listener", "close", "l.close()", "stops listening; tasks waiting in accept get nil", "l.close()"),
        method("connection", "read", "c.read()", "waits for data and returns what has arrived (up to 64 KiB) as a string; nil at end of stream", "let data = c.read()"),
        method("connection", "read_line", "c.read_line()", "waits for a whole line and returns it without its line break; nil at end of stream", "let line = c.read_line()"),
        method("connection", "write", "c.write(s)", "sends all of s, waiting while the socket's buffer is full; returns nil", "c.write(\"hello\\n\")"),
        method("connection", "close", "c.close()", "closes the connection (a second close does nothing)", "c.close()"),
    ]

    // swift-format-ignore
    static let fields: [HelpEntry] = [
        field("coroutine", "status", "co.status", "created, suspended, running, normal (resuming another), done or failed", "print(co.status)   # suspended"),
        field("coroutine", "done", "co.done", "true once the coroutine has returned or failed", "while not co.done { co.next() }"),
        field("coroutine", "result", "co.result", "the coroutine's return value once it is done", "print(co.result)"),
        field("task", "id", "t.id", "the task's number: main is 1, then in spawn order", "print(t.id)   # 2"),
        field("task", "name", "t.name", "the task's name, by default the function's name and the id; can be assigned", "t.name = \"cook\""),
        field("task", "status", "t.status", "ready, running, sleeping, blocked, done, failed or cancelled", "print(t.status)   # sleeping"),
        field("task", "result", "t.result", "the task's return value once it is done", "print(t.result)"),
        field("channel", "capacity", "ch.capacity", "how many values the channel buffers (0: unbuffered)", "print(channel(3).capacity)   # 3"),
        field("channel", "closed", "ch.closed", "whether the channel has been closed", "if not ch.closed { ch.send(1) }"),
        field("error", "message", "e.message", "the error's message, a string", "try { [][1] } catch e { print(e.message) }"),
        field("error", "trace", "e.trace", "the traceback as a list of strings, innermost frame last", "try { f() } catch e { print(e.trace) }"),
        field("listener", "port", "l.port", "the port it listens on (the one picked for port 0)", "print(l.port)"),
        field("listener", "address", "l.address", "host and port as one string", "print(l.address)   # 127.0.0.1:8080"),
        field("listener", "closed", "l.closed", "whether the listener has been closed", "print(l.closed)"),
        field("connection", "peer", "c.peer", "the other side's address (kept after close)", "print(c.peer)   # 127.0.0.1:54321"),
        field("connection", "closed", "c.closed", "whether this side has closed the connection", "print(c.closed)"),
    ]

    // swift-format-ignore
    static let keywords: [HelpEntry] = [
        keyword("let", "let x = v", "declares a variable in the current block (without = v it is nil)", "let total = 0"),
        keyword("fn", "fn name(a, b) { }", "declares a function; fn(a) { } alone is a function value (a closure)", "fn add(a, b) { return a + b }"),
        keyword("return", "return v", "leaves the function with the value v (nil without one)", "return a + b"),
        keyword("if", "if c { } else { }", "runs the first block when c is truthy (only nil and false are not), else the else part", "if x > 0 { print(\"positive\") } else { print(\"not\") }"),
        keyword("else", "else { }", "the part of an if that runs when its condition is falsy; else if chains", "if a { f() } else if b { g() } else { h() }"),
        keyword("while", "while c { }", "repeats the block while c is truthy", "while i < 3 { i += 1 }"),
        keyword("for", "for x in v { }", "runs the block for each element of a list, key of a map, character, range value, yield of a coroutine or value of a channel", "for i in range(3) { print(i) }"),
        keyword("in", "for x in v", "separates a for loop's variable from what it iterates", "for k in {a: 1} { print(k) }"),
        keyword("break", "break", "leaves the innermost loop", "while true { break }"),
        keyword("continue", "continue", "goes on with the innermost loop's next iteration", "for i in range(5) { if i == 2 { continue }; print(i) }"),
        keyword("true", "true", "the true bool", "let ok = true"),
        keyword("false", "false", "the false bool; with nil the only falsy values", "let done = false"),
        keyword("nil", "nil", "the value of nothing: missing map keys, functions without return", "print({}[\"x\"] == nil)   # true"),
        keyword("and", "a and b", "a if it is falsy, else b (b runs only when needed)", "print(nil and 1, 2 and 3)   # nil 3"),
        keyword("or", "a or b", "a if it is truthy, else b (b runs only when needed)", "let name = input(\"name? \") or \"anonymous\""),
        keyword("not", "not x", "true when x is nil or false, else false", "print(not nil)   # true"),
        keyword("yield", "yield v", "pauses the running coroutine and hands v to its resumer; evaluates to what is resumed in (a task outside a coroutine gives up its turn)", "let data = yield \"ready\""),
        keyword("from", "yield from x", "runs coroutine x inside this one, passing its yields out and resumes in; evaluates to x's return value (on other iterables, yields each element)", "let total = yield from worker()"),
        keyword("spawn", "spawn f(args)", "starts f(args) as a new task at the back of the ready queue and returns its handle; the spawner keeps running", "let t = spawn dish(\"eggs\", 6)"),
        keyword("try", "try { } catch e { } finally { }", "runs the block; catch handles what it throws, finally runs however control leaves", "try { risky() } catch e { print(e.message) }"),
        keyword("catch", "catch e { }", "handles an error thrown in the try block, bound to e (the name is optional)", "try { [][0] } catch e { print(\"caught:\", e.message) }"),
        keyword("finally", "finally { }", "runs whenever control leaves the try and catch blocks: normally, by an error, return, break, continue, close or cancel", "try { work() } finally { print(\"cleaned up\") }"),
        keyword("throw", "throw v", "raises v (any value; usually an error) to the nearest catch", "throw error(\"boom\")"),
    ]

    /// What `help()` prints: every name, by group.
    static var overview: String {
        var out = ""
        for (title, entries) in groups {
            if title == "fields" {
                var byType: [String] = []
                var seen: [String: [String]] = [:]
                for e in entries {
                    guard case .field(let type) = e.kind else { continue }
                    if seen[type] == nil { byType.append(type) }
                    seen[type, default: []].append(e.name)
                }
                out += "fields: " + byType.map { "\($0) \(seen[$0]!.joined(separator: " "))" }.joined(separator: "; ") + "\n"
            } else {
                out += "\(title): " + entries.map(\.name).joined(separator: " ") + "\n"
            }
        }
        return out + "help(x) tells more: help(print), help(\"push\"), help(\"yield\"), help(co.send), help([])\n"
    }
}

extension VM {
    /// `help(x)` and `help()` (docs/reference.md): prints to standard output, returns nil.
    func installHelp() {
        native("help", 0, 1) { vm, a in
            vm.write(a.count == 0 ? Help.overview : vm.helpText(for: a[0]))
            return .nil
        }
    }

    /// The help for a name (`"push"`, `"list.push"`, `"yield"`), a builtin function, a bound
    /// method, or any other value (the methods and fields of its type).
    func helpText(for v: Value) -> String {
        var found: [HelpEntry]
        var asked: String
        switch v.tag {
        case .string:
            asked = v.asString.value
            found = Help.entries(named: asked)
            if found.isEmpty, let dot = asked.firstIndex(of: ".") {  // "list.push"
                let type = String(asked[..<dot]), name = String(asked[asked.index(after: dot)...])
                found = Help.all.filter { $0.name == name && ($0.kind == .method(type) || $0.kind == .field(type)) }
            }
        case .native:
            let n = v.obj(NativeObj.self)
            asked = n.name
            found = Help.builtins.filter { $0.name == n.name }
        case .boundMethod:
            let b = v.obj(BoundMethodObj.self)
            asked = b.name
            found = Help.all.filter { $0.name == b.name && $0.kind == .method(b.receiver.typeName) }
        case .closure:
            let p = v.asClosure.proto
            let name = p.name.isEmpty ? "<fn>" : p.name
            let line = p.positions.first?.loc.line ?? 0
            return "\(name) is a function written in CoLang (\(p.source.name):\(line)), taking \(p.arity) "
                + "argument\(p.arity == 1 ? "" : "s"); help covers the builtins, methods and keywords\n"
        default:
            let type = v.typeName
            let members = Help.all.filter { $0.kind == .method(type) || $0.kind == .field(type) }
            if members.isEmpty { return "\(type) values have no methods or fields (help() lists everything)\n" }
            return members.map(\.text).joined()
        }
        if found.isEmpty {
            let suggestion = VM.didYouMean(asked, among: Help.all.map(\.name), synonyms: true)
            return "no help for '\(asked)'\(suggestion); help() lists every builtin, method and keyword\n"
        }
        return found.map(\.text).joined()
    }
}
