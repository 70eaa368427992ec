extension ModelConfiguration {
    /// Cross-checks the sections of a diffusion model, naming the keys and the values:
    ///
    /// - `cond_dim` is a size, conditioner ids are unique, and every id the diffusion section names exists;
    /// - the backbone reads and writes the pretransform's latent channels (`model.io_channels` = `latent_dim`);
    /// - `sample_size` holds at least one latent frame, and a whole number of the backbone's latent length multiple;
    /// - cross-attention conditioners give tokens of the backbone's context width, and no more tokens than it holds
    ///   (the U-Net's `context_embedding_max_length`);
    /// - global conditioners give one token each, and their widths add up to the backbone's global width.
    ///
    /// A DiT without cross-attention (`cond_token_dim` 0) or without a global input (`global_cond_dim` 0) that is
    /// given conditioners for it is an error, as the reference fails there at the first forward pass; a U-Net without
    /// `context_features` drops its global conditioners, as the reference's `get_mapping` does.
    ///
    /// Each of these would otherwise stop a tensor op (a linear layer, a concatenation, the null-condition slice)
    /// at the first forward pass.
    func validateDiffusion() throws {
        guard let conditioning, let diffusion, let latentChannels else { return }
        try ConfigurationValidator(path: "model.conditioning").requireSize(conditioning.conditionDimension, "cond_dim")
        var specifications: [String: (index: Int, specification: ConditionerSpecification)] = [:]
        for (index, specification) in conditioning.conditioners.enumerated() {
            if let earlier = specifications[specification.id] {
                throw ModelConfigurationError(key: "model.conditioning.configs.\(index).id",
                                              reason: "'\(specification.id)' is also the id of model.conditioning.configs.\(earlier.index)")
            }
            specifications[specification.id] = (index, specification)
        }
        for (key, list) in [("model.diffusion.cross_attention_cond_ids", diffusion.crossAttentionConditionIDs),
                            ("model.diffusion.global_cond_ids", diffusion.globalConditionIDs)] {
            for id in list where specifications[id] == nil {
                throw ModelConfigurationError(key: key, reason: "names conditioner '\(id)', which model.conditioning.configs does not define (ids: \(specifications.keys.sorted().joined(separator: ", ")))")
            }
        }
        guard latentChannels == autoencoder.latentDimension else {
            throw ModelConfigurationError(key: "model.io_channels", reason: "is \(latentChannels) but the pretransform's latent_dim is \(autoencoder.latentDimension)")
        }
        let backbone = DiffusionBackboneInterface(diffusion.backbone)
        let validator = ConfigurationValidator(path: "model.diffusion.config")
        for setting in backbone.latentChannels {
            try validator.require(setting.value == latentChannels, setting.key,
                                  "is \(setting.value), but model.io_channels (the pretransform's latent channels) is \(latentChannels)")
        }
        if let sampleSize {
            // The window is sampled as sample_size / ratio latents (full-window renders, continuation windows).
            let windowLatents = sampleSize / autoencoder.downsamplingRatio, multiple = backbone.latentLengthMultiple
            try ConfigurationValidator(path: "").require(windowLatents >= 1 && windowLatents % multiple == 0, "sample_size",
                "is \(sampleSize), a window of \(windowLatents) latent frames of \(autoencoder.downsamplingRatio) samples; the backbone needs at least 1 and a multiple of \(multiple)")
        }
        func width(_ specification: ConditionerSpecification) -> Int { specification.outputDimension(default: conditioning.conditionDimension) }
        let crossAttention = diffusion.crossAttentionConditionIDs.compactMap { specifications[$0]?.specification }
        for specification in crossAttention where width(specification) != backbone.contextWidth.value {
            throw validator.error(backbone.contextWidth.key, "is \(backbone.contextWidth.value)\(Self.absentInput(backbone.contextWidth, "cross-attention")), but cross-attention conditioner '\(specification.id)' gives \(width(specification))-wide tokens")
        }
        if let contextLength = backbone.contextLength {
            let tokens = crossAttention.reduce(0) { $0 + $1.tokenCount }
            try validator.require(tokens <= contextLength.value, contextLength.key,
                                  "is \(contextLength.value), but the cross-attention conditioners give \(tokens) tokens ("
                                      + crossAttention.map { "\($0.id) \($0.tokenCount)" }.joined(separator: ", ") + ")")
        }
        let global = diffusion.globalConditionIDs.compactMap { specifications[$0]?.specification }
        for specification in global where specification.tokenCount != 1 {
            throw ModelConfigurationError(key: "model.diffusion.global_cond_ids",
                                          reason: "names '\(specification.id)', whose \(specification.tokenCount) tokens cannot form a global condition (one token per conditioner)")
        }
        if let globalWidth = backbone.globalWidth, !global.isEmpty {
            let total = global.reduce(0) { $0 + width($1) }
            try validator.require(total == globalWidth.value, globalWidth.key,
                                  "is \(globalWidth.value)\(Self.absentInput(globalWidth, "global condition")), but the global conditioners give \(total) channels ("
                                      + global.map { "\($0.id) \(width($0))" }.joined(separator: ", ") + ")")
        }
    }

    /// ` (no <input>)` for a backbone width of 0, the way a DiT says it lacks that input; empty otherwise.
    private static func absentInput(_ setting: DiffusionBackboneInterface.Setting, _ input: String) -> String {
        setting.value == 0 ? " (no \(input))" : ""
    }
}
