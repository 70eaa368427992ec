import Foundation
import SATensor

/// A committed parity fixture: a safetensors file whose tensors are named `CASE.input`, `CASE.output`,
/// `CASE.param.<torch key>` …, with `__metadata__` holding `case.CASE` (a JSON object of hyperparameters),
/// the generator script, the torch version and the seed.
public struct FixtureFile: @unchecked Sendable {
    public let file: SafeTensorsFile

    /// Opens `Resources/<name>` of the given bundle.
    public init(resource name: String, in bundle: Bundle) throws {
        let base = (name as NSString).deletingPathExtension, fileExtension = (name as NSString).pathExtension
        guard let url = bundle.url(forResource: base, withExtension: fileExtension, subdirectory: "Resources")
            ?? bundle.url(forResource: base, withExtension: fileExtension) else {
            throw FixtureError.missingResource(name)
        }
        file = try SafeTensorsFile(path: url.path)
    }

    /// Case names, sorted.
    public var caseNames: [String] {
        file.metadata.keys.filter { $0.hasPrefix("case.") }.map { String($0.dropFirst(5)) }.sorted()
    }

    /// The hyperparameters of a case.
    public func configuration(_ caseName: String) throws -> [String: Any] {
        guard let text = file.metadata["case.\(caseName)"],
              let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw FixtureError.missingCase(caseName)
        }
        return object
    }

    /// Tensor `CASE.name`.
    public func tensor(_ caseName: String, _ name: String) throws -> Tensor { try file.tensor(named: "\(caseName).\(name)") }

    /// Whether tensor `CASE.name` exists.
    public func has(_ caseName: String, _ name: String) -> Bool { file.entries["\(caseName).\(name)"] != nil }

    /// The case's module parameters (`CASE.param.<key>`) keyed by their torch names.
    public func parameters(_ caseName: String) throws -> [String: Tensor] {
        let prefix = "\(caseName).param."
        var result: [String: Tensor] = [:]
        for name in file.names where name.hasPrefix(prefix) { result[String(name.dropFirst(prefix.count))] = try file.tensor(named: name) }
        return result
    }
}

public enum FixtureError: Error, CustomStringConvertible {
    case missingResource(String)
    case missingCase(String)

    public var description: String {
        switch self {
        case .missingResource(let name): return "test resource \(name) not found"
        case .missingCase(let name): return "fixture has no case \(name)"
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// An integer hyperparameter (JSON numbers and booleans).
    public func int(_ key: String, default fallback: Int? = nil) -> Int? {
        if let number = self[key] as? NSNumber { return number.intValue }
        return fallback
    }

    /// A floating-point hyperparameter.
    public func double(_ key: String, default fallback: Double? = nil) -> Double? {
        if let number = self[key] as? NSNumber { return number.doubleValue }
        return fallback
    }
}

extension SafeTensorsFile {
    /// Every tensor whose name passes `include`, read as Float32 and keyed by name.
    public func tensors(where include: (String) -> Bool = { _ in true }) throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in names where include(name) { result[name] = try tensor(named: name) }
        return result
    }

    /// The weights of a component fixture: everything except its `in.*` inputs and `out.*` outputs.
    public func fixtureWeights() throws -> [String: Tensor] {
        try tensors { !$0.hasPrefix("in.") && !$0.hasPrefix("out.") }
    }
}
