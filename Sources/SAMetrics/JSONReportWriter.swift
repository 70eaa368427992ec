import Foundation
import SATensor

/// Writes a `ScoreReport` as JSON with every parameter recorded.
///
/// Keys are sorted and values keep full Float64 precision; metrics that are undefined are left out (or null inside
/// per-channel lists), and infinities are written as the strings "inf" / "-inf" (e.g. the SI-SDR of a perfect
/// estimate, the S/M ratio of identical channels).
public enum JSONReportWriter {
    public static func encode(_ report: ScoreReport) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var bytes = [UInt8](try encoder.encode(report))
        bytes.append(0x0A)
        return bytes
    }

    public static func write(_ report: ScoreReport, to path: String) throws {
        try AtomicFile.write(try encode(report), to: path)
    }
}
