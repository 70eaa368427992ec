import Foundation
import SATensor

// stable-audio-bench: benchmarks measured side by side in one run (release builds only).
//
//   swift build -c release --product stable-audio-bench
//   OPENBLAS_CORETYPE=SkylakeX .build/release/stable-audio-bench [engine] [--quick]
//   OPENBLAS_CORETYPE=SkylakeX .build/release/stable-audio-bench models [options]   (see ModelBenchmark.swift)
//   OPENBLAS_CORETYPE=SkylakeX .build/release/stable-audio-bench generate MODEL_DIR [options]   (GenerationBenchmark.swift)
//
// `engine` (the default) prints the machine's sgemm rate (OpenBLAS with its own threads, and through the engine's
// deterministic GEMM layer), then conv1d / conv_transpose1d at U-Net and VAE-decoder shapes as GFLOP/s and as a
// fraction of the sgemm rate. FLOPs count 2 per multiply-add of the mathematical convolution (no im2col overhead).

BLASRuntime.relaunchWithFastKernelsIfNeeded()
BLASRuntime.configureAllocatorForLargeTensors()
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "models" || arguments.first == "generate" {
    do {
        if arguments.first == "models" { try runModelBenchmark(Array(arguments.dropFirst())) } else { try runGenerationBenchmark(Array(arguments.dropFirst())) }
    } catch {
        FileHandle.standardError.write(Data("stable-audio-bench: error: \(error)\n".utf8))
        exit(1)
    }
} else {
    runEngineBenchmark(quick: arguments.contains("--quick"))
}

/// Median wall time of `body` over `repetitions` runs, after one warm-up run.
func medianSeconds(repetitions: Int, warmUp: Bool = true, _ body: () -> Void) -> Double {
    if warmUp { body() }
    var times: [Double] = []
    for _ in 0..<repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}
