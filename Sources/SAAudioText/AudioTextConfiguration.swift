import Foundation

/// The config an sfx-clap-mini export carries (`sfx_clap_mini.json`, written by `models/training/train_clap.py`
/// `export`), validated.
///
/// Required keys: `sample_rate`, `window`, `n_fft`, `hop`, `n_mels`, `mel_fmin`, `embed_dim`, `families`,
/// `tokenizer`, `max_length`; `name`, `step` and `doc` are read when present; other keys are ignored. The feature
/// normalisation constants are not in the config but in the weights (`features.mean`, `features.std`).
public struct AudioTextConfiguration: Sendable, Equatable {
    public var name: String
    /// The training step of the export, when recorded.
    public var step: Int?
    public var sampleRate: Int
    /// Samples of each clip the model looks at (zero padded when shorter): `window`.
    public var windowLength: Int
    public var fftSize: Int
    public var hopLength: Int
    public var melCount: Int
    public var minimumFrequency: Double
    /// Width of both embeddings (`embed_dim`).
    public var embeddingDimension: Int
    /// Family names in the order of the family logits.
    public var families: [String]
    /// The SentencePiece model file, relative to the config's folder.
    public var tokenizer: String
    /// Token positions, `</s>` included (`max_length`).
    public var maximumTokenCount: Int

    public init(name: String, step: Int?, sampleRate: Int, windowLength: Int, fftSize: Int, hopLength: Int, melCount: Int,
                minimumFrequency: Double, embeddingDimension: Int, families: [String], tokenizer: String, maximumTokenCount: Int) {
        self.name = name
        self.step = step
        self.sampleRate = sampleRate
        self.windowLength = windowLength
        self.fftSize = fftSize
        self.hopLength = hopLength
        self.melCount = melCount
        self.minimumFrequency = minimumFrequency
        self.embeddingDimension = embeddingDimension
        self.families = families
        self.tokenizer = tokenizer
        self.maximumTokenCount = maximumTokenCount
    }

    /// Reads and validates the JSON file at `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AudioTextModelError(path: path, reason: "cannot be read")
        }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw AudioTextModelError(path: path, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let object = parsed as? [String: Any] else { throw AudioTextModelError(path: path, reason: "expected a JSON object") }
        func value(_ key: String) throws -> Any {
            guard let value = object[key], !(value is NSNull) else { throw AudioTextModelError(path: path, key: key, reason: "missing") }
            return value
        }
        func integer(_ key: String) throws -> Int {
            guard let number = try value(key) as? NSNumber, let integer = Int(exactly: number.doubleValue) else {
                throw AudioTextModelError(path: path, key: key, reason: "must be an integer, got \(object[key] ?? "nothing")")
            }
            return integer
        }
        func number(_ key: String) throws -> Double {
            guard let number = try value(key) as? NSNumber, number.doubleValue.isFinite else {
                throw AudioTextModelError(path: path, key: key, reason: "must be a finite number, got \(object[key] ?? "nothing")")
            }
            return number.doubleValue
        }
        func string(_ key: String) throws -> String {
            guard let string = try value(key) as? String, !string.isEmpty else {
                throw AudioTextModelError(path: path, key: key, reason: "must be a non-empty string")
            }
            return string
        }
        guard let families = try value("families") as? [String] else {
            throw AudioTextModelError(path: path, key: "families", reason: "must be a list of family names")
        }
        self.init(name: (object["name"] as? String) ?? "sfx-clap-mini",
                  step: (object["step"] as? NSNumber).flatMap { Int(exactly: $0.doubleValue) },
                  sampleRate: try integer("sample_rate"), windowLength: try integer("window"), fftSize: try integer("n_fft"),
                  hopLength: try integer("hop"), melCount: try integer("n_mels"), minimumFrequency: try number("mel_fmin"),
                  embeddingDimension: try integer("embed_dim"), families: families, tokenizer: try string("tokenizer"),
                  maximumTokenCount: try integer("max_length"))
        try validate(path: path)
    }

    /// The longest `window`: 2²⁴ samples (6.3 minutes at 44.1 kHz; the model is trained on 262144). Every clip is
    /// padded to it, so it bounds what scoring one file allocates.
    public static let maximumWindowLength = 1 << 24
    /// The most STFT frames per clip (1 + window / hop): 2¹⁶, far above the trained 257.
    public static let maximumFrameCount = 1 << 16

    /// Checks that the values describe a model the port can run; errors name the key.
    public func validate(path: String) throws {
        func check(_ condition: Bool, _ key: String, _ reason: String) throws {
            if !condition { throw AudioTextModelError(path: path, key: key, reason: reason) }
        }
        try check(sampleRate > 0, "sample_rate", "must be positive, got \(sampleRate)")
        try check(fftSize >= 2 && fftSize % 2 == 0, "n_fft", "must be an even number ≥ 2, got \(fftSize)")
        try check(hopLength > 0, "hop", "must be positive, got \(hopLength)")
        // torch.stft(center=True, pad_mode="reflect") needs more than n_fft/2 samples.
        try check(windowLength > fftSize / 2, "window", "must be more than n_fft/2 = \(fftSize / 2) samples, got \(windowLength)")
        try check(windowLength <= Self.maximumWindowLength, "window", "must be at most \(Self.maximumWindowLength) samples, got \(windowLength)")
        try check(frameCount <= Self.maximumFrameCount, "hop",
                  "\(hopLength) gives \(frameCount) STFT frames for a window of \(windowLength) samples; at most \(Self.maximumFrameCount)")
        try check(melCount > 0, "n_mels", "must be positive, got \(melCount)")
        try check(minimumFrequency >= 0 && minimumFrequency < Double(sampleRate) / 2, "mel_fmin",
                  "must lie in [0, sample_rate/2), got \(minimumFrequency)")
        try check(embeddingDimension > 0, "embed_dim", "must be positive, got \(embeddingDimension)")
        try check(!families.isEmpty, "families", "is empty")
        try check(Set(families).count == families.count, "families", "names a family twice")
        try check(maximumTokenCount >= 1, "max_length", "must be at least 1 (room for </s>), got \(maximumTokenCount)")
    }

    /// STFT frames per clip: 1 + window/hop (centred).
    public var frameCount: Int { 1 + windowLength / hopLength }
}
