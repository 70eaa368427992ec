import Foundation
import SAModels
import SANN
import SATensor

/// `stable-audio-bench models`: full-size forward passes of the ported models, for parameter counts, timing and
/// (with PyTorch's outputs) full-size parity.
///
///     stable-audio-bench models [--configs DIR] [--weights DIR] [--inputs FILE] [--torch-outputs FILE]
///                               [--torch-results FILE] [--only unet,dit,vae] [--repeat N]
///
/// - `--configs DIR`: `stable_audio_1_0.json` (U-Net + DAC), `stable_audio_open_1_0.json` (DiT + Oobleck) and
///   `stable_audio_open_1_0_vae.json` (default `eval/model-ports/configs`).
/// - `--weights DIR`: model folders `sa1_unet/`, `sao_dit/`, `sao_vae/` written by
///   `eval/model-ports/pytorch_benchmark.py export`; without it, weights are synthesized (N(0, 0.02²)).
/// - `--inputs FILE`: the fixed inputs of `pytorch_benchmark.py inputs`; without it, seeded random inputs.
/// - `--torch-outputs FILE` / `--torch-results FILE`: PyTorch's outputs and timings for the side-by-side table.
func runModelBenchmark(_ arguments: [String]) throws {
    func option(_ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
    let configs = option("--configs") ?? "eval/model-ports/configs"
    let weights = option("--weights")
    let only = Set((option("--only") ?? "unet,dit,vae").split(separator: ",").map(String.init))
    let repetitions = Int(option("--repeat") ?? "3") ?? 3
    let inputs = try option("--inputs").map { try SafeTensorsFile(path: $0) }
    let torchOutputs = try option("--torch-outputs").map { try SafeTensorsFile(path: $0) }
    let torchTimes = try option("--torch-results").map(loadTorchTimes) ?? [:]

    print("stable-audio-bench models  OpenBLAS kernels: \(BLASRuntime.coreName)  workers: \(ConcurrentWork.workerCount)  repetitions: \(repetitions) (median after a warm-up)")
    print("weights: \(weights ?? "synthesized")   inputs: \(option("--inputs") ?? "seeded random")")
    print("")
    print("model".padding(toLength: 44, withPad: " ", startingAt: 0) + "  parameters      Swift     PyTorch   speed-up   max|diff|/max|ref|")

    var generator = SeededGenerator(seed: 11)
    func input(_ name: String, _ shape: [Int], scale: Float = 1) throws -> Tensor {
        if let inputs { return try inputs.tensor(named: name) }
        return Tensor.randomNormal(shape: shape, standardDeviation: scale, generator: &generator)
    }
    func store(_ folder: String) throws -> ParameterStore {
        guard let weights else { return ParameterStore(synthesizingWithSeed: 7) }
        return ParameterStore(files: try ModelFolder(path: "\(weights)/\(folder)").weightFiles)
    }
    func report(_ name: String, key: String, outputKey: String, parameters: Int, seconds: Double, output: Tensor) throws {
        var comparison = "–"
        if let torchOutputs, torchOutputs.entries[outputKey] != nil {
            let expected = try torchOutputs.tensor(named: outputKey)
            comparison = expected.shape == output.shape
                ? String(format: "%.2e", (output - expected).maximumAbsolute() / max(expected.maximumAbsolute(), 1e-12))
                : "shape \(output.shape) vs \(expected.shape)"
        }
        let torch = torchTimes[key]
        let nonFinite = output.nonFiniteCount
        let countText = grouped(parameters)
        var line = name.padding(toLength: 44, withPad: " ", startingAt: 0)
        line += String(repeating: " ", count: max(1, 12 - countText.count)) + countText
        line += String(format: " %9.2f s", seconds)
        if let torch { line += String(format: " %9.2f s %9.2f×", torch, torch / seconds) } else { line += "          –          –" }
        line += "   " + comparison
        if nonFinite > 0 { line += "  (\(nonFinite) non-finite!)" }
        print(line)
    }

    if only.contains("unet") {
        let json = try configurationJSON("\(configs)/stable_audio_1_0.json")
        guard case .unet(let configuration) = try json["model"]?["diffusion"]?.decode(DiffusionSection.self).backbone else {
            throw ModelConfigurationError(key: "model.diffusion", reason: "stable_audio_1_0.json is not a U-Net config")
        }
        let parameters = try store("sa1_unet")
        let model = try UNet1D(parameters.scope(weights == nil ? "" : "model.model"), configuration: configuration)
        let x = try input("unet.x", [2, 64, 1024]), time = try input("unet.t", [2]).scalars.map { abs($0).truncatingRemainder(dividingBy: 1) }
        let embedding = try input("unet.embedding", [2, 79, 768]), mask = try input("unet.embedding_mask", [2, 79]).map { $0 > 0 ? 1 : 0 }
        var output = Tensor(zeros: [1])
        let seconds = medianSeconds(repetitions: repetitions) { output = model.forward(x, time: time, embedding: embedding, mask: mask) }
        try report("SA1 U-Net forward, 1024 latents, batch 2", key: "unet", outputKey: "unet.out", parameters: count(parameters, prefix: "model.model"), seconds: seconds, output: output)
    }
    if only.contains("dit") {
        let json = try configurationJSON("\(configs)/stable_audio_open_1_0.json")
        guard case .dit(let configuration) = try json["model"]?["diffusion"]?.decode(DiffusionSection.self).backbone else {
            throw ModelConfigurationError(key: "model.diffusion", reason: "stable_audio_open_1_0.json is not a DiT config")
        }
        // A synthesizing store also makes up the rotary `inv_freq` buffer: the cost is the same, the values are not SAT's.
        let parameters = try store("sao_dit")
        let model = try DiffusionTransformer(parameters.scope(weights == nil ? "" : "model.model"), configuration: configuration)
        let x = try input("dit.x", [2, 64, 1024]), time = try input("dit.t", [2]).scalars.map { abs($0).truncatingRemainder(dividingBy: 1) }
        let context = try input("dit.cross_attn_cond", [2, 130, 768]), global = try input("dit.global_cond", [2, 1536])
        var output = Tensor(zeros: [1])
        let seconds = medianSeconds(repetitions: repetitions) { output = model.forward(x, time: time, context: context, globalCondition: global) }
        try report("SAO DiT forward, 1024 latents, batch 2", key: "dit", outputKey: "dit.out", parameters: count(parameters, prefix: "model.model", excludingBuffers: true),
                   seconds: seconds, output: output)
    }
    if only.contains("vae") {
        let json = try configurationJSON("\(configs)/stable_audio_open_1_0_vae.json")
        guard let model = json["model"] else { throw ModelConfigurationError(key: "model", reason: "missing") }
        let configuration = try model.decode(AutoencoderConfiguration.self)
        let parameters = try store("sao_vae")
        let autoencoder = try AudioAutoencoder(parameters.root, configuration: configuration)
        let latents = try input("vae.latents", [1, 64, 216])
        var output = Tensor(zeros: [1])
        let seconds = medianSeconds(repetitions: repetitions) { output = autoencoder.decode(latents) }
        try report("SAO Oobleck decoder, 216 latents (10.03 s)", key: "vae", outputKey: "vae.audio", parameters: count(parameters, prefix: "decoder"), seconds: seconds, output: output)
    }
}

private func configurationJSON(_ path: String) throws -> JSONValue {
    guard let data = FileManager.default.contents(atPath: path) else { throw ModelFolderError.notFound(path) }
    return try JSONDecoder().decode(JSONValue.self, from: data)
}

/// Parameters a model took from `store` under `prefix` (all of them for a synthesizing store).
private func count(_ store: ParameterStore, prefix: String, excludingBuffers: Bool = false) -> Int {
    let keys = store.keys.filter { $0.hasPrefix(prefix + ".") || store.sourceName.hasPrefix("synthesized") }
    return keys.reduce(0) { total, key in
        guard !(excludingBuffers && CheckpointSummary.isBuffer(key)) else { return total }
        return total + Tensor.elementCount(store.shape(of: key) ?? [])
    }
}

private func loadTorchTimes(_ path: String) throws -> [String: Double] {
    guard let data = FileManager.default.contents(atPath: path),
          let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw ModelFolderError.notFound(path) }
    var times: [String: Double] = [:]
    for key in ["unet", "dit", "vae"] {
        let results = object["results"] as? [String: Any] ?? object
        if let entry = results[key] as? [String: Any], let median = entry["median_seconds"] as? Double { times[key] = median }
    }
    return times
}

private func grouped(_ value: Int) -> String {
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.groupingSeparator = ","
    return formatter.string(from: NSNumber(value: value)) ?? String(value)
}
