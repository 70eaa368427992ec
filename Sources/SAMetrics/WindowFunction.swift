#if canImport(Glibc)
import Glibc
#endif

/// Analysis windows.
public enum WindowFunction: String, Codable, Sendable {
    /// Periodic Hann, `w[n] = 0.5 − 0.5·cos(2πn/N)`, as `torch.hann_window(N)` and
    /// `scipy.signal.get_window('hann', N)` (the DFT-even form used by librosa, auraloss and audiotools).
    case periodicHann = "hann-periodic"

    /// The window of `length` samples, computed in Float64.
    public func coefficients(length: Int) -> [Double] {
        switch self {
        case .periodicHann:
            // w[n] = 0.5 − 0.5·cos(2πn/N)
            return (0..<length).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(length)) }
        }
    }
}
