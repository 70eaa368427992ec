/// Checks the values of one object of a configuration file and throws a `ModelConfigurationError` naming the key
/// (under the object's coding path) and the offending value.
///
/// The tensor ops stop with a `precondition` on sizes that do not fit together; every size that comes from a
/// file goes through one of these checks first, so a bad file is an error at load time, not a trap at the first
/// forward pass. The caller (`ModelConfiguration`, `T5Configuration`) replaces the default file name in the error
/// with the real path.
struct ConfigurationValidator {
    /// The largest size (channels, widths, lengths, counts) a configuration may give. No real checkpoint comes near
    /// it (a tensor dimension of 2²⁴ would be gigabytes on its own), and it keeps products of a few sizes far from
    /// integer overflow.
    static let maximumSize = 1 << 24

    /// The object's key path, "model.diffusion.config" style ("" at the top level).
    let path: String

    init(path: String) { self.path = path }

    /// The validator of the object at `codingPath`.
    init(codingPath: [CodingKey]) { path = codingPathText(codingPath) }

    /// The full key path of member `name`.
    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// An error for member `name`.
    func error(_ name: String, _ reason: String) -> ModelConfigurationError { ModelConfigurationError(key: key(name), reason: reason) }

    /// Throws `reason` for member `name` unless `condition` holds.
    func require(_ condition: Bool, _ name: String, _ reason: @autoclosure () -> String) throws {
        if !condition { throw error(name, reason()) }
    }

    /// Throws unless `value` lies in `minimum ... maximumSize` (sizes are positive unless the caller allows 0).
    func requireSize(_ value: Int, _ name: String, minimum: Int = 1) throws {
        try require((minimum...Self.maximumSize).contains(value), name, "\(value) must be between \(minimum) and \(Self.maximumSize)")
    }

    /// `requireSize` for every element of a list, naming the element ("strides[2]").
    func requireSizes(_ values: [Int], _ name: String, minimum: Int = 1) throws {
        for (index, value) in values.enumerated() { try requireSize(value, "\(name)[\(index)]", minimum: minimum) }
    }

    /// The product of `values`, or an error for member `name` when it exceeds `maximumSize`.
    func product(_ values: [Int], _ name: String) throws -> Int {
        var result = 1
        for value in values {
            let (product, overflow) = result.multipliedReportingOverflow(by: value)
            guard !overflow, product <= Self.maximumSize else {
                throw error(name, "\(values) multiply to more than \(Self.maximumSize)")
            }
            result = product
        }
        return result
    }
}
