/// What a diffusion backbone takes from the rest of a `diffusion_cond` model, each value with the key (under
/// `model.diffusion.config`) that sets it. `ModelConfiguration` checks the pretransform and the conditioners
/// against it, so that a mismatch is an error naming both keys instead of a shape trap in the first forward pass.
struct DiffusionBackboneInterface {
    /// A value of the backbone's config and its key.
    struct Setting {
        let key: String
        let value: Int
    }

    /// Latent channels the backbone reads and writes (U-Net `in_channels` and `out_channels`, DiT `io_channels`).
    let latentChannels: [Setting]
    /// Width of the cross-attention tokens; 0 when the backbone has no cross-attention (DiT `cond_token_dim` 0), where
    /// the reference's forward pass fails on any cross-attention condition (`to_cond_embed` does not exist).
    let contextWidth: Setting
    /// The most cross-attention tokens the backbone holds (the U-Net's learned null condition has one row per
    /// token); nil when unbounded.
    let contextLength: Setting?
    /// Width of the global condition: 0 for a DiT without one (`global_cond_dim` 0), where the reference's forward
    /// pass fails on any global condition (`to_global_embed` does not exist); nil for a U-Net without
    /// `context_features`, whose `get_mapping` reads features only when they are set and drops them otherwise, as
    /// this port does.
    let globalWidth: Setting?
    /// Latent frames must be a multiple of this (the U-Net's downsampling factors multiplied; 1 for the DiT).
    let latentLengthMultiple: Int

    init(_ backbone: DiffusionSection.Backbone) {
        switch backbone {
        case .unet(let configuration):
            latentChannels = [Setting(key: "in_channels", value: configuration.inChannels)]
                + (configuration.outChannels.map { [Setting(key: "out_channels", value: $0)] } ?? [])
            contextWidth = Setting(key: "context_embedding_features", value: configuration.contextEmbeddingFeatures)
            contextLength = Setting(key: "context_embedding_max_length", value: configuration.contextEmbeddingMaxLength)
            globalWidth = configuration.contextFeatures.map { Setting(key: "context_features", value: $0) }
            latentLengthMultiple = configuration.downsamplingFactor
        case .dit(let configuration):
            latentChannels = [Setting(key: "io_channels", value: configuration.ioChannels)]
            contextWidth = Setting(key: "cond_token_dim", value: configuration.conditionTokenDimension)
            contextLength = nil
            globalWidth = Setting(key: "global_cond_dim", value: configuration.globalConditionDimension)
            latentLengthMultiple = 1
        }
    }
}
