// libFuzzer entry point: every input goes through the lexer and parser as raw bytes and, when it
// is valid UTF-8, through the compiler and the VM with a step limit and a virtual clock.
import CoLang

/// Limits that keep one input fast: the fuzzer wants thousands of runs a second.
private let options: RunOptions = {
    var o = RunOptions()
    o.clock = .virtual
    o.maxSteps = 20_000
    o.maxMemoryMB = 64
    o.seed = 1
    return o
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func colangFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let (_, diagnostics) = Parser.parse(bytes: bytes, file: "fuzz.co")
    for d in diagnostics where d.loc.line < 1 || d.loc.column < 1 || d.message.isEmpty {
        fatalError("diagnostic without a location or message: \(d)")
    }
    guard let source = String(validating: bytes, as: UTF8.self) else { return 0 }
    let interpreter = Interpreter(options: options, stdout: { _ in }, stderr: { _ in }, stdin: { nil })
    let status = interpreter.runScript(source: source, file: "fuzz.co")
    interpreter.flush()
    if status != 0 && status != 65 && status != 70 {
        fatalError("unexpected exit status \(status)")
    }
    return 0
}

// SwiftPM links an executable target with `--defsym main=CoLangFuzz_main` (so that tests can
// import executables), which hides libFuzzer's own `main`. This is that entry point: it hands
// the command line to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("CoLangFuzz_main")
public func colangFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in colangFuzzOneInput(data, size) }
}
