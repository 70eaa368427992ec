import Foundation
import SAAudio
import SATensor
import Testing

/// `stable-audio score` with sfx-clap-mini, on the PyTorch fixture model of `Tests/Fixtures/make_audio_text_fixture.py`.
@Suite struct ScoreAudioTextTests {
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SAAudioTextTests/Resources").path
    static let model = resources + "/sfx_clap_mini_fixture"
    let folder: String = {
        let path = NSTemporaryDirectory() + "score-clap-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func io() throws -> SafeTensorsFile { try SafeTensorsFile(path: resources + "/sfx_clap_mini_fixture.io.safetensors") }

    /// Writes fixture clip `index` as a float WAV (bit-exact) at `path`.
    static func writeClip(_ index: Int, to path: String) throws {
        try AudioFile.write(AudioBuffer(samples: try io().tensor(named: "in.audio.\(index)"), sampleRate: 44_100), to: path, format: .wav(.float32))
    }

    static func report(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test func promptGivesTheCosinePyTorchComputed() throws {
        let captions = try #require(try JSONSerialization.jsonObject(with: Data((try Self.io().metadata["captions"] ?? "").utf8)) as? [String])
        let similarity = try Self.io().tensor(named: "out.similarity")
        let clip = folder + "/clip0.wav", json = folder + "/report.json"
        try Self.writeClip(0, to: clip)
        let result = try CommandLineTests.run(["score", clip, "--prompt", captions[1], "--audio-text-model", Self.model, "--json", json])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("cosine"))
        let section = try #require(try Self.report(json)["sfxClapMini"] as? [String: Any])
        let files = try #require(section["files"] as? [[String: Any]])
        let cosine = try #require(files.first?["sfx_clap_mini_text_audio_cosine"] as? Double)
        #expect(abs(cosine - Double(similarity.scalars[0 * 3 + 1])) < 1e-5, "cosine \(cosine) vs PyTorch \(similarity.scalars[1])")
        #expect(files.first?["prompt"] as? String == captions[1])
        #expect(files.first?["sfx_clap_mini_family"] is String)
    }

    @Test func setsGetFrechetDistanceAndKLAndPromptFilesAreValidated() throws {
        for group in ["gen", "ref"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(group)", withIntermediateDirectories: true)
            for index in 0..<3 { try Self.writeClip(index, to: "\(folder)/\(group)/clip\(index).wav") }
        }
        let prompts = folder + "/prompts.csv", json = folder + "/sets.json"
        try Data("file,prompt\nclip0,\"rain, heavy\"\n".utf8).write(to: URL(fileURLWithPath: prompts))
        let result = try CommandLineTests.run(["score", "--set", "\(folder)/gen", "--reference-set", "\(folder)/ref", "--bootstrap", "0",
                                               "--audio-text-model", Self.model, "--prompts", prompts, "--json", json])
        #expect(result.status == 0, "\(result.standardError)")
        let section = try #require(try Self.report(json)["sfxClapMini"] as? [String: Any])
        let set = try #require(section["set"] as? [String: Any])
        // Identical sets: the Fréchet distance vanishes; KL(p‖p) with ε on the second argument is
        // Σ p·(log p − log(p + ε)) ≈ −42·ε for 42 families.
        #expect(abs(try #require(set["sfx_clap_mini_frechet_distance"] as? Double)) < 1e-6)
        let kl = try #require(set["sfx_clap_mini_kl"] as? Double)
        #expect(kl <= 0 && kl > -42e-6 - 1e-9, "\(kl)")
        #expect(set["pairedFileCount"] as? Int == 3)
        let files = try #require(section["files"] as? [[String: Any]])
        #expect(files.count == 6)
        #expect(files.filter { $0["prompt"] as? String == "rain, heavy" }.count == 1)

        let bad = folder + "/bad.jsonl"
        try Data("{\"file\": \"clip0.wav\", \"prompt\": \"a\"}\n\n{\"file\": \"clip1.wav\"}\n".utf8).write(to: URL(fileURLWithPath: bad))
        let rejected = try CommandLineTests.run(["score", "\(folder)/gen", "--audio-text-model", Self.model, "--prompts", bad])
        #expect(rejected.status != 0)
        #expect(rejected.standardError.contains("bad.jsonl:3: prompt is missing or empty"), "\(rejected.standardError)")
    }

    @Test func aMissingOrDisabledModel() throws {
        let clip = folder + "/clip2.wav", json = folder + "/none.json"
        try Self.writeClip(2, to: clip)
        let missing = try CommandLineTests.run(["score", clip, "--audio-text-model", folder + "/nothing-here"])
        #expect(missing.status != 0 && missing.standardError.contains("nothing-here: not a folder"), "\(missing.standardError)")
        let disabled = try CommandLineTests.run(["score", clip, "--no-audio-text-model", "--json", json])
        #expect(disabled.status == 0, "\(disabled.standardError)")
        #expect(try Self.report(json)["sfxClapMini"] == nil)
    }
}
