/// The settings `Conv1d` and `ConvTranspose1d` share, checked when a layer is loaded: the tensor ops trap on them
/// (they are programmer errors there), so a loader reports them as `WeightLoadingError.inconsistentModule` naming
/// the layer's key instead.
enum ConvolutionSettings {
    /// Throws unless stride and dilation are at least 1, the padding is not negative and `groups` divides both
    /// channel counts. `layer` names the layer type in the message.
    static func validate(_ scope: ParameterScope, layer: String, inChannels: Int, outChannels: Int, stride: Int, dilation: Int,
                         padding: (left: Int, right: Int), groups: Int) throws {
        try scope.requireLayout(stride >= 1 && dilation >= 1 && padding.left >= 0 && padding.right >= 0,
                                "\(layer) needs stride ≥ 1, dilation ≥ 1 and padding ≥ 0, got stride \(stride), dilation \(dilation), padding \(padding)")
        try scope.requireLayout(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                                "\(layer) of \(inChannels) → \(outChannels) channels cannot be split into \(groups) groups")
    }
}
