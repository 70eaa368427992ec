// swift-tools-version: 6.0
// stable-audio-swift: a native Swift text-to-audio engine following the Stable Audio design.
//
// Module layers depend only downward:
//   C shims (COpenBLAS, CSndFile, CFFTW3) → SATensor → SANN → SAModels → (SASampling → SAPipeline) → SACLI
//   SAAudio needs SATensor + CSndFile; SAMetrics needs SATensor + SAAudio + CFFTW3 + COpenBLAS + CZlib.
//   SAAudioText (the project's own audio-text model, sfx-clap-mini) needs SATensor + SANN + SAAudio + SAModels (tokenizer)
//   + SAMetrics (STFT, filterbank, set statistics).
import PackageDescription

let package = Package(
    name: "stable-audio-swift",
    products: [
        .library(name: "StableAudio", targets: ["SATensor", "SANN", "SAAudio", "SAModels", "SASampling", "SAPipeline", "SAMetrics", "SAAudioText"]),
        .executable(name: "stable-audio", targets: ["SACLI"]),
        .executable(name: "stable-audio-bench", targets: ["SABenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CFFTW3", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .systemLibrary(name: "CSystemSupport"),

        .target(name: "SATensor", dependencies: ["COpenBLAS", "CSystemSupport"]),
        .target(name: "SANN", dependencies: ["SATensor"]),
        .target(name: "SAAudio", dependencies: ["SATensor", "CSndFile"]),
        .target(name: "SAModels", dependencies: ["SATensor", "SANN"]),
        .target(name: "SASampling", dependencies: ["SATensor"]),
        .target(name: "SAPipeline", dependencies: ["SATensor", "SANN", "SAModels", "SAAudio", "SASampling"]),
        .target(name: "SAMetrics", dependencies: ["SATensor", "SAAudio", "CFFTW3", "COpenBLAS", "CZlib"]),
        .target(name: "SAAudioText", dependencies: ["SATensor", "SANN", "SAAudio", "SAModels", "SAMetrics"]),

        .executableTarget(
            name: "SACLI",
            dependencies: [
                "SATensor", "SANN", "SAAudio", "SAModels", "SAPipeline", "SAMetrics", "SAAudioText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "SABenchmark", dependencies: ["SATensor", "SANN", "SAModels", "SASampling", "SAPipeline"]),
        // eval-only: the SAMetrics benchmark and compliance printout (eval/metrics/README.md)
        .executableTarget(name: "SAMetricsEval", dependencies: ["SAMetrics", "SAAudio", "SATensor", "CFFTW3"], path: "eval/metrics/SAMetricsEval"),

        .target(name: "SATestSupport", dependencies: ["SATensor"], path: "Tests/SATestSupport"),
        .testTarget(name: "SATensorTests", dependencies: ["SATensor", "SATestSupport"]),
        .testTarget(
            name: "SANNTests", dependencies: ["SANN", "SATestSupport"],
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "SAModelsTests", dependencies: ["SAModels", "SATestSupport"],
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "SASamplingTests", dependencies: ["SASampling", "SATestSupport"],
            resources: [.copy("Resources")]
        ),
        .testTarget(name: "SAPipelineTests", dependencies: ["SAPipeline", "SAModels", "SANN", "SASampling", "SAAudio", "SATensor", "SATestSupport"]),
        .testTarget(name: "SAAudioTests", dependencies: ["SAAudio", "SATestSupport"], resources: [.copy("Resources")]),
        .testTarget(
            name: "SAMetricsTests", dependencies: ["SAMetrics", "SAAudio", "SATensor", "CZlib"],
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "SAAudioTextTests", dependencies: ["SAAudioText", "SAAudio", "SAMetrics", "SANN", "SATensor", "SATestSupport"],
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "SACLITests", dependencies: ["SATestSupport", "SATensor", "SAAudio"],
            resources: [.copy("Resources")]
        ),
    ]
)
