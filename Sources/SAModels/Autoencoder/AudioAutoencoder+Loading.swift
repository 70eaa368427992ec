import SANN
import SATensor

extension AudioAutoencoder {
    /// Loads the autoencoder of a model folder: the model itself for `model_type: autoencoder`, or the
    /// pretransform (`pretransform.model.*`) of a diffusion model. Every key under the autoencoder's prefix must be
    /// used and have the expected shape; for a diffusion model, keys outside the prefix belong to other parts.
    public init(folder: ModelFolder) throws {
        guard let configurationPath = folder.configurationPath else {
            throw ModelFolderError.invalidConfiguration(path: folder.path, reason: "no model_config.json: an autoencoder needs its configuration")
        }
        let configuration = try ModelConfiguration(contentsOf: configurationPath)
        let store = ParameterStore(files: folder.weightFiles)
        let prefix = configuration.autoencoderKeyPrefix
        try self.init(prefix.isEmpty ? store.root : store.scope(prefix), configuration: configuration.autoencoder)
        if prefix.isEmpty {
            try store.verifyAllUsed()
        } else {
            let foreign = store.unusedKeys.filter { !$0.hasPrefix(prefix + ".") }
            try store.verifyAllUsed(allowingPrefixes: Array(Set(foreign)))
        }
    }
}
