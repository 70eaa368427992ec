import SATensor

/// A view of a `ParameterStore` under a key prefix, mirroring a PyTorch module path.
///
/// `scope.child("layers").child(0).tensor("weight")` reads `<prefix>.layers.0.weight`: each module resolves its
/// children once at load time, so checkpoint keys appear once per module as child and parameter names.
public struct ParameterScope: Sendable {
    public let store: ParameterStore
    /// The module path, without a trailing dot ("" for the root).
    public let prefix: String

    public init(store: ParameterStore, prefix: String) {
        self.store = store
        self.prefix = prefix
    }

    /// The full key for a parameter name in this scope.
    public func key(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    /// The scope of a child module.
    public func child(_ name: String) -> ParameterScope { ParameterScope(store: store, prefix: key(name)) }
    /// The scope of an indexed child (`nn.Sequential` / `nn.ModuleList` entry).
    public func child(_ index: Int) -> ParameterScope { child(String(index)) }

    /// Takes parameter `name`, requiring `shape` when given.
    public func tensor(_ name: String, shape: [Int]? = nil) throws -> Tensor { try store.take(key(name), shape: shape) }

    /// Takes parameter `name` if present.
    public func optionalTensor(_ name: String, shape: [Int]? = nil) throws -> Tensor? {
        try store.takeIfPresent(key(name), shape: shape)
    }

    /// Whether parameter `name` exists in this scope.
    public func contains(_ name: String) -> Bool { store.contains(key(name)) }

    /// Throws `WeightLoadingError.inconsistentModule` naming this module and the store's source unless `condition`
    /// holds. Loaders call it before taking tensors, so settings that the tensor ops would trap on (a group count
    /// that does not divide the channels, a stride of 0) are reported at load time instead.
    public func requireLayout(_ condition: Bool, _ reason: @autoclosure () -> String) throws {
        guard condition else {
            throw WeightLoadingError.inconsistentModule(key: prefix.isEmpty ? "(root)" : prefix, reason: reason(), source: store.sourceName)
        }
    }

    /// The effective `weight` of a layer that may be weight-normalized, folded at load time.
    ///
    /// Accepts the plain `weight`, the legacy `torch.nn.utils.weight_norm` form (`weight_g`, `weight_v`) and the
    /// parametrization form (`parametrizations.weight.original0` = g, `original1` = v). Folding follows PyTorch's
    /// `_weight_norm` with dim = 0 and no epsilon:
    ///
    ///     W = g · v / ‖v‖,   ‖v‖ over every dimension except 0, one norm per index of dimension 0
    ///
    /// (for ConvTranspose1d, dimension 0 is the input channel). The norm is accumulated in Float64.
    public func weightNormalizedTensor(_ name: String = "weight", shape: [Int]) throws -> Tensor {
        let forms = [("\(name)_g", "\(name)_v"), ("parametrizations.\(name).original0", "parametrizations.\(name).original1")]
        for (gName, vName) in forms {
            let hasG = contains(gName), hasV = contains(vName)
            if hasG != hasV {
                throw WeightLoadingError.incompleteWeightNorm(key: key(name), present: key(hasG ? gName : vName),
                                                             missing: key(hasG ? vName : gName), source: store.sourceName)
            }
            guard hasG else { continue }
            let direction = try tensor(vName, shape: shape)
            let rows = shape[0], rowLength = direction.count / max(1, rows)
            var gainShape = [Int](repeating: 1, count: shape.count)
            gainShape[0] = rows
            let gain = try tensor(gName, shape: gainShape)
            return direction.withUnsafeBufferPointer { v in
                Tensor(uninitializedShape: shape) { weight in
                    for row in 0..<rows {
                        var squares = 0.0
                        for index in 0..<rowLength { squares += Double(v[row * rowLength + index]) * Double(v[row * rowLength + index]) }
                        // W = g · v / ‖v‖
                        let factor = Double(gain.scalars[row]) / squares.squareRoot()
                        for index in 0..<rowLength { weight[row * rowLength + index] = Float(Double(v[row * rowLength + index]) * factor) }
                    }
                }
            }
        }
        return try tensor(name, shape: shape)
    }
}
