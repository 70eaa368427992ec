import Foundation
import SAModels
import SANN
import SAPipeline
import SASampling
import SATensor

/// `stable-audio-bench generate MODEL_DIR [--seconds S,…] [--steps N] [--sampler K] [--cfg X] [--sigma-min X --sigma-max X] [--repeat N] [--window fit|full]`:
/// end-to-end generation time (conditioning, sampling, decoding), real-time factor and peak RSS through
/// `TextToAudioPipeline`, with the prompt conditioner replaced by a fixed random embedding of the model's
/// context shape (SAT checkpoints carry no T5 weights; its cost is negligible next to sampling). `--window` as in
/// `stable-audio generate` (default: the model's).
func runGenerationBenchmark(_ arguments: [String]) throws {
    guard let modelPath = arguments.first, !modelPath.hasPrefix("--") else {
        throw ModelFolderError.notFound("usage: stable-audio-bench generate MODEL_DIR [--seconds 5,10] [--steps 100] [--sampler dpmpp-3m-sde] [--cfg 7] [--window fit|full]")
    }
    func option(_ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
    let durations = (option("--seconds") ?? "10").split(separator: ",").compactMap { Double($0) }
    let steps = Int(option("--steps") ?? "100") ?? 100
    let sampler = SamplerKind(rawValue: option("--sampler") ?? "dpmpp-3m-sde") ?? .dpmpp3mSDE
    let guidance = Float(option("--cfg") ?? "7") ?? 7
    let repetitions = Int(option("--repeat") ?? "1") ?? 1
    let sigmaMin = option("--sigma-min").flatMap(Double.init), sigmaMax = option("--sigma-max").flatMap(Double.init)
    let window = option("--window").flatMap(GenerationConfiguration.WindowLength.init)

    struct FixedPrompt: PromptConditioner {
        let output: ConditionerOutput
        func callAsFunction(_ prompts: [String]) throws -> ConditionerOutput { output }
    }
    let pipeline = try TextToAudioPipeline(modelPath: modelPath) { specification, width, scope, _ in
        // Take the conditioner's own checkpoint tensors (e.g. proj_out) so strict loading passes.
        for key in scope.store.keys where key.hasPrefix(scope.prefix + ".") { _ = try scope.store.take(key) }
        let tokens = (specification.config["max_length"]?.intValue ?? 128)
        var generator = SeededGenerator(seed: 1)
        return FixedPrompt(output: ConditionerOutput(embeddings: Tensor.randomNormal(shape: [1, tokens, width], generator: &generator),
                                                     mask: Tensor(repeating: 1, shape: [1, tokens])))
    }
    print("stable-audio-bench generate  \(modelPath)  OpenBLAS kernels: \(BLASRuntime.coreName)  workers: \(ConcurrentWork.workerCount)")
    print("steps \(steps), sampler \(sampler.rawValue), CFG \(guidance) (batch CFG), seed 1, window \(window?.rawValue ?? "the model's")")
    print("")
    print("seconds  latents   conditioning   sampling   decoding      total   real-time factor   peak RSS")
    for seconds in durations {
        var configuration = GenerationConfiguration(prompt: "benchmark", seconds: seconds)
        configuration.steps = steps
        configuration.sampler = sampler
        configuration.guidanceScale = guidance
        configuration.seed = 1
        configuration.sigmaMin = sigmaMin
        configuration.sigmaMax = sigmaMax
        configuration.window = window
        var result: GenerationResult?
        var totals: [Double] = []
        for _ in 0..<repetitions {
            let run = try pipeline.generate(configuration)
            totals.append(run.timings["total"] ?? 0)
            result = run
        }
        guard let result else { continue }
        let total = totals.sorted()[totals.count / 2]
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(String(format: "%7.2f  %7d  %11.2f s %8.2f s %8.2f s %8.2f s   %14.3f   %6.2f GB", seconds, result.latentFrames,
                     result.timings["conditioning"] ?? 0, result.timings["sampling"] ?? 0, result.timings["decoding"] ?? 0, total,
                     total / seconds, Double(usage.ru_maxrss) / 1_048_576))
    }
}
