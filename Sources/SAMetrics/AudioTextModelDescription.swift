/// Which sfx-clap-mini export produced an `AudioTextScore`, and what each of its metrics means.
public struct AudioTextModelDescription: Codable, Sendable, Equatable {
    /// The name in the export's config, e.g. "sfx-clap-mini (this project's own audio-text model; not LAION-CLAP)".
    public var name: String
    /// The model folder.
    public var path: String
    /// The training step of the export, when recorded.
    public var step: Int?
    public var sampleRate: Int
    /// Samples of each clip the model sees (the rest is ignored; shorter clips are zero padded).
    public var windowLength: Int
    public var embeddingDimension: Int
    public var families: [String]
    public var resampling = "files at another sample rate are resampled to sampleRate first (windowed sinc as torchaudio's Resample defaults: Hann, width 6, rolloff 0.99); the model was trained at 44.1 kHz only"
    public var textAudioCosine = "sfx_clap_mini_text_audio_cosine: cosine of the L2-normalised audio and text embeddings (−1…1); only the first window samples are seen"
    public var family = "sfx_clap_mini_family / _probability: argmax and maximum of softmax(family logits)"
    public var frechetDistance = "sfx_clap_mini_frechet_distance: Fréchet distance between Gaussians fitted to the audio embeddings of the two sets (one row per file, ddof 1; see set.frechet); not comparable with FAD numbers of any other encoder"
    public var kl = "sfx_clap_mini_kl: mean over file pairs of KL(ref‖gen) of the family distributions softmax(logits), ε = 1e-6 on gen (audiocraft / audioldm_eval direction); sfx_clap_mini_kl_generated_to_reference: KL(gen‖ref), ε on ref; pairs by relative path, else by a unique file stem"

    public init(name: String, path: String, step: Int?, sampleRate: Int, windowLength: Int, embeddingDimension: Int, families: [String]) {
        self.name = name
        self.path = path
        self.step = step
        self.sampleRate = sampleRate
        self.windowLength = windowLength
        self.embeddingDimension = embeddingDimension
        self.families = families
    }
}
