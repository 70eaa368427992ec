import ArgumentParser
import Foundation
import SAAudio

/// Output-file options shared by the commands that write audio.
struct AudioOutputOptions: ParsableArguments {
    enum Container: String, ExpressibleByArgument, CaseIterable { case wav, flac }
    enum BitDepth: String, ExpressibleByArgument, CaseIterable {
        case pcm16 = "16", pcm24 = "24", float32 = "32f"
    }

    @Option(name: .shortAndLong, help: "Output file.")
    var output: String

    @Option(help: "Container: wav or flac (default: from the output file's extension, else wav).")
    var format: Container?

    @Option(help: "Sample format: 16, 24 or 32f (float; WAV only). Default: 24.")
    var bitDepth: BitDepth = .pcm24

    @Flag(help: "Replace the output file if it exists.")
    var overwrite = false

    var container: Container { Self.container(format: format, output: output) }
    var fileFormat: AudioFileFormat { Self.fileFormat(container: container, bitDepth: bitDepth) }

    func validate() throws { try Self.checkCombination(container: container, bitDepth: bitDepth) }

    /// The container: `--format` when given, else from the output's extension (.flac), else WAV.
    static func container(format: Container?, output: String?) -> Container {
        format ?? (output?.lowercased().hasSuffix(".flac") == true ? .flac : .wav)
    }

    static func fileFormat(container: Container, bitDepth: BitDepth) -> AudioFileFormat {
        let encoding: AudioSampleEncoding
        switch bitDepth {
        case .pcm16: encoding = .pcm16
        case .pcm24: encoding = .pcm24
        case .float32: encoding = .float32
        }
        return container == .flac ? .flac(encoding) : .wav(encoding)
    }

    static func checkCombination(container: Container, bitDepth: BitDepth) throws {
        if container == .flac && bitDepth == .float32 {
            throw ValidationError("FLAC stores at most 24-bit PCM: use --bit-depth 16 or 24, or --format wav")
        }
    }

    /// Fails if the output exists and --overwrite was not given, or if its folder cannot take the file.
    func checkDestination() throws { try OutputDestination.check(output, overwrite: overwrite) }
}
