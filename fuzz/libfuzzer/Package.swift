// swift-tools-version: 6.1
// A libFuzzer target for CoLang, kept out of the main package so `swift test` never builds it.
// Build and run with fuzz/libfuzzer/run.sh (it passes -sanitize=fuzzer,address).
import Foundation
import PackageDescription

/// The main package is two folders up; SwiftPM names a path dependency after its folder.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

let package = Package(
    name: "CoLangFuzz",
    dependencies: [.package(path: root.path)],
    targets: [
        .executableTarget(
            name: "CoLangFuzz",
            dependencies: [.product(name: "CoLang", package: root.lastPathComponent)],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ],
    swiftLanguageModes: [.v5]
)
