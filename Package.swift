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
        .executableTarget(
            name: "colang-repl",
            dependencies: [
                "CoLang", "CReadline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "CoLangTests",
            dependencies: ["CoLangSyntax", "CoLang"],
            exclude: ["conformance"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
