/// The engine's version, reported by `stable-audio version` and written into file metadata.
public enum StableAudioVersion {
    public static let string = "0.1.0"
}
