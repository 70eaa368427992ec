import Foundation
import SATensor

/// A checkpoint on disk: a single `.safetensors` file, or a stable-audio-tools model folder holding
/// `model_config.json` and one or more `.safetensors` files.
public struct ModelFolder: Sendable {
    /// The path the user gave.
    public let path: String
    /// The weight files, sorted by name, opened and validated.
    public let weightFiles: [SafeTensorsFile]
    /// `model_config.json` when present (folders only).
    public let configurationPath: String?

    /// Opens `path`, validating every weight file's header.
    public init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ModelFolderError.notFound(path) }
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            let weights = names.filter { $0.hasSuffix(".safetensors") }.sorted()
            guard !weights.isEmpty else { throw ModelFolderError.noWeights(path) }
            weightFiles = try weights.map { try SafeTensorsFile(path: (path as NSString).appendingPathComponent($0)) }
            let configuration = (path as NSString).appendingPathComponent("model_config.json")
            configurationPath = FileManager.default.fileExists(atPath: configuration) ? configuration : nil
        } else {
            weightFiles = [try SafeTensorsFile(path: path)]
            configurationPath = nil
        }
    }

    /// The parsed `model_config.json` as a JSON object, or nil when there is none.
    public func configurationObject() throws -> [String: Any]? {
        guard let configurationPath else { return nil }
        guard let data = FileManager.default.contents(atPath: configurationPath) else {
            throw ModelFolderError.invalidConfiguration(path: configurationPath, reason: "cannot be read")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw ModelFolderError.invalidConfiguration(path: configurationPath, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let dictionary = object as? [String: Any] else {
            throw ModelFolderError.invalidConfiguration(path: configurationPath, reason: "top level is not a JSON object")
        }
        return dictionary
    }
}
