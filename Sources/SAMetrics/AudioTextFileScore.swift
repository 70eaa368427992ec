/// sfx-clap-mini's results for one file: its predicted family and, when a prompt was given, the text-audio cosine.
public struct AudioTextFileScore: Codable, Sendable, Equatable {
    /// "input" (FILES|DIRS), "generated" or "reference" (set files).
    public var group: String
    public var path: String
    public var prompt: String?
    public var textAudioCosine: Double?
    public var family: String?
    public var familyProbability: Double?
    /// Why the model could not look at the file (unreadable, another sample rate, more than 2 channels, …).
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case group, path, prompt, error
        case textAudioCosine = "sfx_clap_mini_text_audio_cosine"
        case family = "sfx_clap_mini_family"
        case familyProbability = "sfx_clap_mini_family_probability"
    }

    public init(group: String, path: String, prompt: String? = nil, error: String? = nil) {
        self.group = group
        self.path = path
        self.prompt = prompt
        self.error = error
    }
}
