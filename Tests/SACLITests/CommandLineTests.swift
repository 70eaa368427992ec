import Foundation
import SATensor
import SATestSupport
import Testing

/// End-to-end tests of the `stable-audio` executable (built alongside the tests by `swift test`).
@Suite struct CommandLineTests {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The built `stable-audio` next to the test bundle.
    static var executable: String {
        let productsFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [productsFolder, productsFolder.deletingLastPathComponent()].map { $0.appendingPathComponent("stable-audio").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// A not yet started `stable-audio arguments` in `directory` (default: the test process's working directory), with
    /// the OpenBLAS relaunch off.
    static func process(_ arguments: [String], in directory: String? = nil) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["STABLE_AUDIO_NO_RELAUNCH"] = "1"
        process.environment = environment
        return process
    }

    /// Runs `stable-audio arguments` in `directory` (default: the test process's working directory).
    static func run(_ arguments: [String], in directory: String? = nil) throws -> Result {
        let process = process(arguments, in: directory)
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
                      standardError: String(decoding: errorData, as: UTF8.self))
    }

    static func resource(_ name: String) throws -> String {
        let base = (name as NSString).deletingPathExtension
        let url = try #require(Bundle.module.url(forResource: base, withExtension: "safetensors", subdirectory: "Resources"))
        return url.path
    }

    /// `inspect --json` on state dicts written by PyTorch (`Tests/Fixtures/make_engine_fixtures.py`) in F32, F16
    /// and BF16 reports the parameter counts PyTorch computed and stored in the file's metadata.
    @Test(arguments: [("inspect_fixture", "F32"), ("inspect_fixture_f16", "F16"), ("inspect_fixture_bf16", "BF16")])
    func inspectReportsPyTorchsParameterCounts(fixture: String, dtype: String) throws {
        let path = try Self.resource(fixture)
        let result = try Self.run(["inspect", path, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let metadata = try SafeTensorsFile(path: path).metadata
        let expectedTotal = try #require(Int(metadata["expected_total_parameters"] ?? ""))
        let expectedByPrefix = try #require(try JSONSerialization.jsonObject(with: Data((metadata["expected_by_prefix"] ?? "").utf8)) as? [String: Int])
        #expect(report["parameterCount"] as? Int == expectedTotal)
        let byPrefix = try #require(report["byPrefix"] as? [[String: Any]])
        var counted: [String: Int] = [:]
        for entry in byPrefix { counted[entry["prefix"] as! String] = entry["parameterCount"] as? Int }
        #expect(counted == expectedByPrefix)
        let dtypes = try #require(report["dtypes"] as? [[String: Any]])
        #expect(dtypes.map { $0["dtype"] as? String } == [dtype])
        #expect(report["tensorCount"] as? Int == 15)
    }

    @Test func inspectTableShowsPrefixesAtDepthTwo() throws {
        let result = try Self.run(["inspect", try Self.resource("inspect_fixture"), "--depth", "2"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("parameters  43,984"))
        #expect(result.standardOutput.contains("conditioner.x"))
        #expect(result.standardOutput.contains("prefix (depth 2)"))
    }

    @Test func inspectOfAModelFolderSummarizesTheConfiguration() throws {
        let folder = NSTemporaryDirectory() + "inspect-folder-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Self.resource("inspect_fixture"), toPath: folder + "/model.safetensors")
        let configuration = #"{"model_type": "diffusion_cond", "sample_rate": 44100, "sample_size": 2097152, "model": {"diffusion": {"type": "dit"}, "conditioning": {"configs": [{"id": "prompt", "type": "t5"}, {"id": "seconds_total", "type": "number"}]}}}"#
        FileManager.default.createFile(atPath: folder + "/model_config.json", contents: Data(configuration.utf8))
        let result = try Self.run(["inspect", folder])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("diffusion_cond"))
        #expect(result.standardOutput.contains("prompt:t5, seconds_total:number"))
        // The partial config has no pretransform: counts per component are unavailable, and inspect says why.
        #expect(result.standardOutput.contains("components  unavailable: "))
        #expect(result.standardOutput.contains("model.pretransform: missing"))
        FileManager.default.createFile(atPath: folder + "/model_config.json", contents: Data("{broken".utf8))
        let broken = try Self.run(["inspect", folder])
        #expect(broken.status != 0)
        #expect(broken.standardError.contains("model_config.json"))
    }

    @Test func errorsAreOneLineOnStandardErrorWithNonZeroStatus() throws {
        let missing = try Self.run(["inspect", "/definitely/not/here.safetensors"])
        #expect(missing.status != 0)
        #expect(missing.standardOutput.isEmpty)
        #expect(missing.standardError.hasPrefix("stable-audio: error: /definitely/not/here.safetensors"))
        #expect(missing.standardError.split(separator: "\n").count == 1)

        let corrupt = NSTemporaryDirectory() + "corrupt-\(getpid()).safetensors"
        FileManager.default.createFile(atPath: corrupt, contents: Data([255, 255, 255, 255, 255, 255, 255, 255, 0x7B]))
        let result = try Self.run(["inspect", corrupt])
        #expect(result.status != 0)
        #expect(result.standardError.contains("header length"))
    }

    @Test func versionReportsNativeLibraries() throws {
        let result = try Self.run(["version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("stable-audio \(StableAudioVersion.string)"))
        #expect(result.standardOutput.contains("OpenBLAS"))
        #expect(result.standardOutput.contains("libsndfile"))
    }
}
