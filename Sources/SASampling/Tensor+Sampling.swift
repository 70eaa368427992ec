import SATensor

extension Tensor {
    /// Multiplies batch item b (the slice along axis 0) by `factors[b]`; one multiply when all factors agree.
    func scalingBatchItems(by factors: [Float]) -> Tensor {
        precondition(rank >= 1 && shape[0] == factors.count, "\(factors.count) batch factors for shape \(shape)")
        if let first = factors.first, factors.allSatisfy({ $0 == first }) { return self * first }
        let rows = reshaped([factors.count, -1]) * Tensor(shape: [factors.count, 1], scalars: factors)
        return rows.reshaped(shape)
    }

    /// Σ_k c_k·t_k elementwise: coefficients computed in Float64 by the caller and rounded to Float32 here, the sum
    /// accumulated in Float32 in term order. All tensors must have the same shape.
    static func weightedSum(_ terms: [(coefficient: Double, tensor: Tensor)]) -> Tensor {
        precondition(!terms.isEmpty, "weightedSum of no terms")
        var result = terms[0].tensor * Float(terms[0].coefficient)
        for term in terms.dropFirst() { result = result.adding(term.tensor, scaledBy: Float(term.coefficient)) }
        return result
    }
}
