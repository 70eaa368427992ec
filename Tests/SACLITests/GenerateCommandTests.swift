import Foundation
import SAAudio
import SATensor
import SATestSupport
import Testing

/// `stable-audio generate` end to end on a runnable tiny model assembled at test time: stable-audio-tools' tiny DiT
/// checkpoint (`Tests/SAModelsTests/Resources/tiny_dit_model`, 32× Oobleck VAE, number timing) with a 1.2 s
/// window, and a small random T5 encoder (d_model 768, one layer, the fixture SentencePiece vocabulary) as the
/// SAT `t5` text encoder. The audio is noise-like — the weights are random — but lengths, files, seeds,
/// determinism and errors are all real.
@Suite struct GenerateCommandTests {
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SAModelsTests/Resources").path

    /// Builds the model folder once per process.
    static let model: String = {
        let folder = NSTemporaryDirectory() + "tiny-generate-model-\(getpid())"
        let manager = FileManager.default
        try? manager.createDirectory(atPath: folder + "/t5", withIntermediateDirectories: true)
        try? manager.copyItem(atPath: resources + "/tiny_dit_model/model.safetensors", toPath: folder + "/model.safetensors")
        var configuration = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resources + "/tiny_dit_model/model_config.json")))) as? [String: Any] ?? [:]
        configuration["sample_size"] = 52_920  // 1.2 s
        configuration["stable_audio_swift"] = ["steps": 3, "sampler": "dpmpp-2m", "cfg_scale": 3]
        try? JSONSerialization.data(withJSONObject: configuration).write(to: URL(fileURLWithPath: folder + "/model_config.json"))
        // A one-layer T5 with t5-base's width.
        let t5 = #"{"vocab_size": 1100, "d_model": 768, "d_kv": 64, "d_ff": 32, "num_layers": 1, "num_heads": 12, "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128, "feed_forward_proj": "relu", "layer_norm_epsilon": 1e-6, "model_type": "t5"}"#
        manager.createFile(atPath: folder + "/t5/config.json", contents: Data(t5.utf8))
        try? manager.copyItem(atPath: resources + "/t5_tokenizer/spiece.model", toPath: folder + "/t5/spiece.model")
        let prefix = "encoder.block.0.layer."
        let shapes: [(String, [Int])] = [("shared.weight", [1100, 768]), (prefix + "0.SelfAttention.q.weight", [768, 768]), (prefix + "0.SelfAttention.k.weight", [768, 768]),
                                         (prefix + "0.SelfAttention.v.weight", [768, 768]), (prefix + "0.SelfAttention.o.weight", [768, 768]),
                                         (prefix + "0.SelfAttention.relative_attention_bias.weight", [32, 12]), (prefix + "0.layer_norm.weight", [768]),
                                         (prefix + "1.DenseReluDense.wi.weight", [32, 768]), (prefix + "1.DenseReluDense.wo.weight", [768, 32]),
                                         (prefix + "1.layer_norm.weight", [768]), ("encoder.final_layer_norm.weight", [768])]
        let tensors = shapes.map { ($0.0, $0.1.count == 1 ? Tensor(repeating: 1, shape: $0.1) : randomTensor($0.1, seed: stableSeed($0.0), scale: 0.05)) }
        try? SafeTensorsWriter.write(tensors, to: folder + "/t5/model.safetensors")
        return folder
    }()

    let folder: String = {
        let path = NSTemporaryDirectory() + "generate-cli-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    func generate(_ arguments: [String]) throws -> CommandLineTests.Result {
        try CommandLineTests.run(["generate"] + arguments + ["-m", Self.model, "--progress", "none"])
    }

    /// round(S · 44100) frames, stereo, 44.1 kHz, metadata with prompt and seed — for odd lengths and the window.
    @Test(arguments: [0.37, 0.0101, 0.123457, 1.2])
    func writesExactlyTheRequestedLength(seconds: Double) throws {
        let path = "\(folder)/clip-\(seconds).wav"
        let result = try generate(["rain on a tin roof", "--seconds", String(seconds), "-o", path, "--seed", "42"])
        #expect(result.status == 0, "\(result.standardError)")
        let (audio, info) = try AudioFile.read(path)
        #expect(audio.frameCount == Int((seconds * 44_100).rounded()))
        #expect(audio.channelCount == 2 && audio.sampleRate == 44_100)
        #expect(audio.samples.scalars.allSatisfy { $0.isFinite })
        #expect(info.metadata.title == "rain on a tin roof")
        #expect(info.metadata.comment?.contains("seed=42") == true)
        #expect(result.standardError.contains("seed 42"))
    }

    /// `--window full` samples the whole 1.2 s window and trims it (`window=full` in the metadata); the model's
    /// default here is `fit`, and an unknown length is refused before anything is written.
    @Test func windowOptionChoosesTheLatentLength() throws {
        for window in ["full", "fit"] {
            let path = "\(folder)/window-\(window).wav"
            let result = try generate(["a beep", "--seconds", "0.3", "-o", path, "--seed", "3", "--window", window])
            #expect(result.status == 0, "\(result.standardError)")
            let (audio, info) = try AudioFile.read(path)
            #expect(audio.frameCount == 13_230)
            #expect(info.metadata.comment?.contains("window=\(window)") == true, "\(info.metadata.comment ?? "")")
        }
        let unknown = try generate(["a beep", "--seconds", "0.3", "-o", "\(folder)/window-bad.wav", "--window", "whole"])
        #expect(unknown.status != 0 && !FileManager.default.fileExists(atPath: "\(folder)/window-bad.wav"))
    }

    /// Beyond the 1.2 s window: overlapping windows, still exactly round(S · 44100) frames.
    @Test func continuationRendersPastTheWindowAtExactLength() throws {
        let path = "\(folder)/long.wav"
        let result = try generate(["a steady hum", "--seconds", "3.1", "-o", path, "--seed", "5", "--steps", "2"])
        #expect(result.status == 0, "\(result.standardError)")
        let (audio, _) = try AudioFile.read(path)
        #expect(audio.frameCount == 136_710 && audio.channelCount == 2)
        #expect(audio.samples.scalars.allSatisfy { $0.isFinite })
    }

    /// --fade-in/--fade-out: the same seed's clip with exact zeros at both ends, unchanged in the middle (before
    /// any loudness step), the fades in the metadata; a fade longer than the clip fails before rendering.
    @Test func fadesShapeTheEndsOfTheSameClip() throws {
        let plain = "\(folder)/fade-plain.wav", faded = "\(folder)/fade-faded.wav"
        let common = ["a steady hum", "--seconds", "0.5", "--seed", "3", "--bit-depth", "32f"]
        #expect(try generate(common + ["-o", plain]).status == 0)
        let result = try generate(common + ["-o", faded, "--fade-in", "0.01", "--fade-out", "0.1"])
        #expect(result.status == 0, "\(result.standardError)")
        let (original, _) = try AudioFile.read(plain), (shaped, info) = try AudioFile.read(faded)
        let frames = original.frameCount  // 22,050: fade-in 441 frames, fade-out 4,410
        #expect(shaped.frameCount == frames)
        for channel in 0..<2 {
            let a = Array(original.samples.scalars[(channel * frames)..<((channel + 1) * frames)])
            let b = Array(shaped.samples.scalars[(channel * frames)..<((channel + 1) * frames)])
            #expect(b[0] == 0 && b[frames - 1] == 0)
            #expect(Array(a[441..<(frames - 4_410)]) == Array(b[441..<(frames - 4_410)]))
            #expect(zip(a, b).allSatisfy { abs($1) <= abs($0) })
        }
        #expect(info.metadata.comment?.contains("fade_in=0.01; fade_out=0.1") == true, "\(info.metadata.comment ?? "")")
        let tooLong = try generate(["a", "--seconds", "0.2", "--fade-out", "0.3", "-o", "\(folder)/fade-long.wav"])
        #expect(tooLong.status != 0 && tooLong.standardError.contains("--fade-out 0.3 s is longer than the clip"), "\(tooLong.standardError)")
    }

    /// SIGINT or SIGTERM during sampling stops at the next step: exit status 128 + the signal, the "interrupted"
    /// message, and no file (neither the clip nor a temporary one) in the output folder.
    @Test(arguments: [SIGINT, SIGTERM])
    func signalStopsAtTheNextStepAndWritesNothing(signalNumber: Int32) throws {
        let outputFolder = "\(folder)/signal-\(signalNumber)"
        try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)
        // A long clip (about 100 windows of the tiny model), so the signal lands while it samples.
        let process = CommandLineTests.process(["generate", "a steady hum", "--seconds", "120", "--steps", "8",
                                                "-o", "\(outputFolder)/x.wav", "-m", Self.model, "--progress", "json"])
        let error = Pipe()
        process.standardError = error
        process.standardOutput = Pipe()
        try process.run()
        var seen = ""
        while !seen.contains(#""stage":"sampling""#) {
            let chunk = error.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the process ended before sampling: the expectations below say so
            seen += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, signalNumber)
        let deadline = Date().addingTimeInterval(60)  // a step of this model takes about 2 s in a debug build
        while process.isRunning && Date() < deadline { usleep(50_000) }
        let stopped = !process.isRunning
        if !stopped { kill(process.processIdentifier, SIGKILL) }
        seen += String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(stopped, "still running 60 s after the signal")
        #expect(process.terminationReason == .exit && process.terminationStatus == 128 + signalNumber, "\(seen.suffix(400))")
        #expect(seen.contains("interrupted: nothing was written"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outputFolder).isEmpty)
    }

    @Test func sameSeedGivesIdenticalFilesAndAnotherSeedDoesNot() throws {
        let first = "\(folder)/a.wav", second = "\(folder)/b.wav", third = "\(folder)/c.wav"
        for (path, seed) in [(first, "7"), (second, "7"), (third, "8")] {
            let result = try generate(["a bell", "--seconds", "0.25", "-o", path, "--seed", seed, "--bit-depth", "32f", "--sampler", "dpmpp-3m-sde"])
            #expect(result.status == 0, "\(result.standardError)")
        }
        let (a, _) = try AudioFile.read(first), (b, _) = try AudioFile.read(second), (c, _) = try AudioFile.read(third)
        #expect(a.samples == b.samples)
        #expect(a.samples != c.samples)
    }

    @Test func badInputIsRejectedAndWritesNothing() throws {
        let path = "\(folder)/never.wav"
        let cases: [([String], String)] = [
            (["   ", "--seconds", "0.2"], "prompt is empty"),
            (["a", "--seconds", "0"], "seconds must be a positive number"),
            (["a", "--seconds", "nan"], "seconds must be a positive number"),
            (["a", "--seconds", "5", "--no-continuation"], "exceeds the model's window"),
            (["a", "--seconds", "0.2", "--steps", "0"], "steps must be between 1 and 10000"),
            (["a", "--seconds", "0.2", "--cfg-scale=-1"], "cfg scale must be ≥ 0"),
            (["a", "--seconds", "0.2", "--sampler", "euler"], "euler"),
            (["a", "--seconds", "0.2", "--cfg-interval", "0.9,0.1"], "--cfg-interval"),
        ]
        for (arguments, message) in cases {
            let result = try generate(arguments + ["-o", path])
            #expect(result.status != 0, "\(arguments) should fail")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
            #expect(!result.standardError.contains("seed "), "a rejected request printed a seed: \(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: path))
        }
        let existing = "\(folder)/existing.wav"
        FileManager.default.createFile(atPath: existing, contents: Data("keep me".utf8))
        let refused = try generate(["a", "--seconds", "0.2", "-o", existing])
        #expect(refused.status != 0 && refused.standardError.contains("--overwrite"))
        #expect(FileManager.default.contents(atPath: existing) == Data("keep me".utf8))
        let unwritable = try generate(["a", "--seconds", "0.2", "-o", "\(folder)/missing-folder/x.wav"])
        #expect(unwritable.status != 0 && unwritable.standardError.contains("missing-folder"), "\(unwritable.standardError)")
        // The output is checked before the model is loaded: with a model folder that does not exist either, the error
        // is the output's, so a long render is never spent on a file that cannot be written.
        let checkedFirst = try CommandLineTests.run(["generate", "a", "--seconds", "60", "-m", "\(folder)/no-model",
                                                     "-o", "\(folder)/missing-folder/x.wav"])
        #expect(checkedFirst.status != 0 && checkedFirst.standardError.contains("missing-folder")
                && !checkedFirst.standardError.contains("no-model"), "\(checkedFirst.standardError)")
        let onAFolder = try generate(["a", "--seconds", "0.2", "-o", folder])
        #expect(onAFolder.status != 0 && onAFolder.standardError.contains("it is a folder"), "\(onAFolder.standardError)")
        let long = try generate([String(repeating: "rain ", count: 2_000), "--seconds", "0.1", "-o", "\(folder)/long.wav"])
        #expect(long.status == 0 && long.standardError.contains("notice: prompt needs"), "\(long.standardError)")
    }

    @Test func batchRendersGoodItemsReportsBadOnesAndWritesAManifest() throws {
        let list = "\(folder)/list.jsonl"
        let lines = [#"{"prompt": "a dog barking", "seconds": 0.2, "seed": 1, "name": "dog"}"#,
                     #"{"prompt": "", "seconds": 0.2}"#,
                     #"{"prompt": "wind", "seconds": 0.31, "cfg_scale": 1, "steps": 2}"#]
        FileManager.default.createFile(atPath: list, contents: Data(lines.joined(separator: "\n").utf8))
        let out = "\(folder)/batch"
        // A list that cannot be read fails before --out-dir is made.
        let unreadable = try CommandLineTests.run(["generate", "--batch", "\(folder)/no-list.jsonl", "--out-dir", out, "-m", Self.model])
        #expect(unreadable.status != 0 && unreadable.standardError.contains("no-list.jsonl") && !FileManager.default.fileExists(atPath: out))
        let result = try CommandLineTests.run(["generate", "--batch", list, "--out-dir", out, "-m", Self.model, "--progress", "json"])
        #expect(result.status != 0 && result.standardError.contains("1 of 3 item(s) failed"))
        #expect(result.standardError.contains(#""stage":"sampling""#))
        #expect(try AudioFile.read("\(out)/dog.wav").0.frameCount == 8_820)
        #expect(try AudioFile.read("\(out)/item-0003.wav").0.frameCount == 13_671)
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/manifest.json"))) as? [String: Any])
        let items = try #require(manifest["items"] as? [[String: Any]])
        #expect(items.map { $0["status"] as? String } == ["ok", "failed", "ok"])
        #expect(items[0]["seed"] as? Int == 1 && items[2]["steps"] as? Int == 2)
        #expect(items[0]["window"] as? String == "fit" && items[0]["latent_frames"] as? Int == 276)  // ⌈8820 / 32⌉
        #expect(items[0]["cfg_interval"] as? [Double] == [0, 1])  // the model sets none: guidance at every step
        #expect((items[1]["error"] as? String)?.contains("list.jsonl:2: prompt is missing or empty") == true)
    }
}
