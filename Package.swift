// swift-tools-version: 6.1
import PackageDescription

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
        .target(
            name: "CoLangSyntax",
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .target(
            name: "CoLang",
            dependencies: ["CoLangSyntax", .product(name: "Collections", package: "swift-collections")],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
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
            ]
        ),
        .executableTarget(
            name: "colang-repl",
            dependencies: ["ColangCLI"]
        ),
        .testTarget(
            name: "CoLangTests",
            dependencies: ["CoLangSyntax", "CoLang", "ColangCLI"],
            exclude: ["conformance"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
