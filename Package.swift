// swift-tools-version: 6.1
import PackageDescription

/// With COLANG_WARNINGS_AS_ERRORS=1 (as `.ci/run` builds) every warning in this package's own
/// targets is an error. Only here, not in the dependencies: their warnings are not ours to fix,
/// and SwiftPM builds them with `-suppress-warnings`, which `-Xswiftc -warnings-as-errors` conflicts with.
let warningFlags = Context.environment["COLANG_WARNINGS_AS_ERRORS"] == "1" ? ["-warnings-as-errors"] : []

/// The Swift settings of one of this package's targets: `flags` and the warning flags.
func swiftSettings(_ flags: [String] = []) -> [SwiftSetting] {
    (flags + warningFlags == [] ? [] : [.unsafeFlags(flags + warningFlags)]) + staticReleaseSwift
}

/// `-enforce-exclusivity=unchecked` drops Swift's run-time exclusivity checks on class
/// properties, paid on every access to a VM, fiber or task property in the dispatch loop. Sound because the VM runs
/// on one thread and never holds an `inout` access to a VM, fiber or task property across a call
/// that could reach the same property again (the registers are a local copy, saved and reloaded
/// around such calls); debug builds and the sanitizer runs keep Swift's other checks.
let exclusivity = "-enforce-exclusivity=unchecked"

/// Every basic block that is not reached by falling through (every `case` of the dispatch
/// loop's `switch`, every loop head) starts on a 16-byte boundary. Without it, the speed of the
/// dispatch loop depends on where unrelated code happens to land: changes that left the
/// instruction count of `bench/fib` unchanged (callgrind) moved its time by 10-20%; with it the
/// benchmarks sit at or below the earlier timings (bench/README.md, "Code alignment").
let blockAlignment = ["-Xllvm", "-align-all-nofallthru-blocks=4"]

/// Release builds of `colang` are one static executable (Swift runtime, Foundation, glibc and
/// readline inside): peak RSS at start falls from 14.4 MB to 7.3 MB, because a dynamic Swift
/// program maps and relocates its shared libraries' pages (libswiftCore alone was 4.4 MB resident)
/// and a static one touches only the code it runs (bench/README.md, "Idle RSS"). The modules are
/// compiled with the flag too, so that they name the static libraries Foundation needs (its C
/// shims). Debug builds stay dynamic: AddressSanitizer, which `.ci/run` uses, cannot be linked
/// statically.
let staticRelease = ["-static-executable"]

/// Release builds also lay out the code a start runs together (issue 17, idle RSS): each function
/// of this package is compiled into a section of its own, and gold places the sections that
/// `Sources/colang-repl/startup.order` names (written by `bench/startup-order` from callgrind runs
/// of a start, a sleeping script and the REPL) next to each other. Spread over the 12 MB of text,
/// the functions a start runs touched ~90 pages, each bringing in its 64 KB fault-around window;
/// together they fill a few windows. A function the file does not name is laid out as usual,
/// so a stale file costs memory, never correctness.
let functionSections = ["-Xfrontend", "-function-sections"]
let startupOrder = ["-Xlinker", "--section-ordering-file=\(Context.packageDirectory)/Sources/colang-repl/startup.order"]

let staticReleaseSwift: [SwiftSetting] = [
    .unsafeFlags(staticRelease + functionSections, .when(platforms: [.linux], configuration: .release))
]
let staticReleaseLink: [LinkerSetting] = [
    .unsafeFlags(staticRelease + startupOrder, .when(platforms: [.linux], configuration: .release))
]

let package = Package(
    name: "CoLang",
    products: [
        .library(name: "CoLang", targets: ["CoLang"]),
        .executable(name: "colang", targets: ["colang-repl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // The front end: tokens, lexer, AST, parser, diagnostics. It depends on nothing else.
        // (Compiled with the flags it had as part of CoLang.)
        .target(
            name: "CoLangSyntax",
            swiftSettings: swiftSettings([exclusivity])
        ),
        // Compiler, bytecode, runtime, VM, concurrency and the teaching tools, behind `Interpreter`.
        .target(
            name: "CoLang",
            dependencies: ["CoLangSyntax", .product(name: "Collections", package: "swift-collections")],
            swiftSettings: swiftSettings([exclusivity] + blockAlignment)
        ),
        .systemLibrary(
            name: "CReadline",
            path: "Sources/CReadline",
            providers: [.apt(["libreadline-dev"])]
        ),
        // The command line and the REPL: everything of `colang` but `main`, as a library so that
        // its logic is unit-testable.
        .target(
            name: "ColangCLI",
            dependencies: [
                "CoLang", "CReadline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings()
        ),
        // The anchor that pins the dispatch loop's alignment in release builds (anchor.c).
        .target(name: "CoLangLayout"),
        // `colang` itself: main.swift only.
        .executableTarget(
            name: "colang-repl",
            dependencies: ["ColangCLI", "CoLangLayout"],
            exclude: ["startup.order"],
            swiftSettings: swiftSettings(),
            linkerSettings: staticReleaseLink
        ),
        .testTarget(
            name: "CoLangTests",
            dependencies: ["CoLangSyntax", "CoLang", "ColangCLI"],
            exclude: ["conformance"],
            swiftSettings: swiftSettings()
        ),
    ],
    swiftLanguageModes: [.v5]
)
