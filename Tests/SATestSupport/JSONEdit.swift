import Foundation

/// One change to a JSON document, for tests that feed a configuration file with a single bad value: the value at a
/// dotted key path ("model.diffusion.config.resnet_groups"; a numeric component indexes an array) is replaced, or
/// removed when `value` is nil.
public struct JSONEdit {
    public let keyPath: String
    public let value: Any?

    public init(_ keyPath: String, _ value: Any?) {
        self.keyPath = keyPath
        self.value = value
    }

    /// `json` with every edit applied in order.
    public static func apply(_ edits: [JSONEdit], to json: Data) throws -> Data {
        var document = try JSONSerialization.jsonObject(with: json)
        for edit in edits {
            document = try edit.applied(to: document, path: edit.keyPath.split(separator: ".").map(String.init)[...])
        }
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
    }

    /// The file at `path` with the edits applied.
    public static func apply(_ edits: [JSONEdit], toFile path: String) throws -> Data {
        try apply(edits, to: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    private func applied(to node: Any, path: ArraySlice<String>) throws -> Any {
        guard let component = path.first else { return value as Any }
        let rest = path.dropFirst()
        if var array = node as? [Any], let index = Int(component), array.indices.contains(index) {
            if rest.isEmpty && value == nil { array.remove(at: index) } else { array[index] = try applied(to: array[index], path: rest) }
            return array
        }
        guard var object = node as? [String: Any] else { throw JSONEditError(keyPath: keyPath, component: component) }
        if rest.isEmpty {
            object[component] = value
        } else {
            guard let child = object[component] else { throw JSONEditError(keyPath: keyPath, component: component) }
            object[component] = try applied(to: child, path: rest)
        }
        return object
    }
}

/// A `JSONEdit` whose key path does not exist in the document.
public struct JSONEditError: Error, CustomStringConvertible {
    public let keyPath: String
    public let component: String
    public var description: String { "JSON edit \(keyPath): no '\(component)' to descend into" }
}
