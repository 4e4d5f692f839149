// Builtins written in CoLang itself, so a callback may `yield` through them (no native frame in between).
import CoLangSyntax

extension VM {
    // The text is CoLang, laid out as CoLang code: the formatter leaves it alone.
    // swift-format-ignore
    static let preludeSource = """
    fn __collect(it) {
      let out = []
      for v in it { out.push(v) }
      return out
    }
    fn map(items, f) {
      let out = []
      for v in items { out.push(f(v)) }
      return out
    }
    fn filter(items, f) {
      let out = []
      for v in items { if f(v) { out.push(v) } }
      return out
    }
    fn __sort_by(items, key) {
      let keyed = []
      for v in items { keyed.push([key(v), v]) }
      let n = 0
      for _ in keyed { n += 1 }
      let width = 1
      let src = keyed
      while width < n {
        let dst = []
        let i = 0
        while i < n {
          let mid = i + width
          if mid > n { mid = n }
          let hi = i + 2 * width
          if hi > n { hi = n }
          let a = i
          let b = mid
          while a < mid and b < hi {
            if src[b][0] < src[a][0] { dst.push(src[b]); b += 1 } else { dst.push(src[a]); a += 1 }
          }
          while a < mid { dst.push(src[a]); a += 1 }
          while b < hi { dst.push(src[b]); b += 1 }
          i += 2 * width
        }
        src = dst
        width *= 2
      }
      let j = 0
      while j < n { items[j] = src[j][1]; j += 1 }
      return nil
    }
    """

    /// Compiles the prelude and keeps its functions (they are not globals: users cannot break them).
    func installPrelude() {
        compilePrelude("<prelude>", VM.preludeSource)
        methods.set(.list, "map", preludeFunction("map"))
        methods.set(.list, "filter", preludeFunction("filter"))
        // A global, unlike the helpers above: a learner calls it, and may read it
        // (HTTPClient.swift). Compiled at its first call: compiling it at every start would add
        // a fifth to the start-up of every program (2.4 million instructions; bench/startup).
        controlNative("http_get", 1, 1) { vm, a in .tailCall(callee: vm.httpClient(), args: [a[0]]) }
    }

    /// The CoLang `http_get`, compiled the first time it is asked for.
    private func httpClient() -> Value {
        if let f = preludeFunctions["http_get"] { return f }
        compilePrelude("<http_get>", VM.httpClientSource)
        return preludeFunction("http_get")
    }

    private func compilePrelude(_ name: String, _ text: String) {
        let source = SourceText(name: name, text: text)
        let (program, diagnostics) = Parser.parse(source: text, file: name)
        let compiler = Compiler(source: source, globals: globals, methodIDs: methods.ids, heap: heap, isPrelude: true)
        guard diagnostics.isEmpty, let script = compiler.compileScript(program) else {
            preconditionFailure("\(name) does not compile: \(diagnostics + compiler.diagnostics)")
        }
        for proto in script.protos {
            let cl = Value(object: heap.track(ClosureObj(proto: proto, upvalues: [])), tag: .closure)
            preludeFunctions[proto.name] = cl
            extraRoots.append(cl)
        }
    }

    func preludeFunction(_ name: String) -> Value {
        preludeFunctions[name] ?? .nil
    }
}
