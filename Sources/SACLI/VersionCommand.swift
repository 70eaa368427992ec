import ArgumentParser
import SAAudio
import SATensor

/// `stable-audio version`: the engine version and the native libraries it runs on.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print versions of the engine and its native libraries.")

    func run() throws {
        FileHandleOutput.standardOutput("""
        stable-audio \(StableAudioVersion.string)
        openblas     \(BLASRuntime.configuration)
        blas-kernels \(BLASRuntime.coreName) (\(BLASRuntime.threadCount) threads)
        libsndfile   \(AudioFile.libraryVersion)

        """)
    }
}
