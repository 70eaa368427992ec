/// Every parameter of every metric, recorded in the JSON report.
public struct ReportParameters: Codable, Sendable, Equatable {
    public var file = FileAnalysisParameters()
    public var paired = PairedParameters()
    public var set: SetParameters

    public init(set: SetParameters) { self.set = set }
}
