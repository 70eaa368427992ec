import ArgumentParser
import Foundation
import SATensor

/// The `stable-audio` command: a thin layer over the library modules. `main.swift` starts it.
struct StableAudioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stable-audio",
        abstract: "Native Swift text-to-audio engine following the Stable Audio design.",
        discussion: """
        Without -m, generate uses the bundled default model, models/default (a small sound-effects model this \
        project trains itself; its model card, models/default/README.md, lists what it knows and its limits), found \
        in the working directory or above the executable. -m takes any stable-audio-tools model folder.
        """,
        version: StableAudioVersion.string,
        subcommands: [GenerateCommand.self, InspectCommand.self, EncodeCommand.self, DecodeCommand.self, ScoreCommand.self, VersionCommand.self]
    )
}

/// Runs a command body, turning any error into one line on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandleOutput.standardError("stable-audio: error: \(error)\n")
        throw ExitCode.failure
    }
}

/// Writes text to stdout or stderr, unbuffered.
enum FileHandleOutput {
    static func standardError(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
    static func standardOutput(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
}
