import SANN
import SATensor
import Testing

/// Layer settings the tensor ops would trap on (a group count that does not divide the channels, a stride of 0, a
/// width that does not split into heads) are `WeightLoadingError.inconsistentModule` when the layer is loaded,
/// naming the module's key, the source and the values. The stores are synthesized, so any shape loads: only the
/// settings can fail.
@Suite struct LayerSettingsTests {
    static let store = ParameterStore(synthesizingWithSeed: 5)

    /// The description of the error `load` throws, or "no error".
    static func error(_ load: () throws -> Void) -> String {
        do {
            try load()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func groupNormNeedsGroupsThatDivideTheChannels() {
        let description = Self.error { _ = try GroupNorm(Self.store.scope("block.norm"), groupCount: 3, channels: 8) }
        #expect(description.contains("synthesized parameters (seed 5): module 'block.norm': GroupNorm of 8 channels cannot be split into 3 groups"),
                "\(description)")
        #expect(Self.error { _ = try GroupNorm(Self.store.scope("norm"), groupCount: 0, channels: 8) }.contains("into 0 groups"))
        #expect(Self.error { _ = try GroupNorm(Self.store.scope("norm"), groupCount: 4, channels: 8) } == "no error")
    }

    @Test func convolutionsNeedUsableStridesPaddingAndGroups() {
        let strideZero = Self.error { _ = try Conv1d(Self.store.scope("down"), inChannels: 4, outChannels: 4, kernelSize: 3, stride: 0) }
        #expect(strideZero.contains("module 'down': Conv1d needs stride ≥ 1, dilation ≥ 1 and padding ≥ 0, got stride 0"), "\(strideZero)")
        let negativePadding = Self.error { _ = try Conv1d(Self.store.scope("conv"), inChannels: 4, outChannels: 4, kernelSize: 3, padding: (-1, 0)) }
        #expect(negativePadding.contains("padding (left: -1, right: 0)"), "\(negativePadding)")
        let groups = Self.error { _ = try Conv1d(Self.store.scope("conv"), inChannels: 4, outChannels: 6, kernelSize: 1, groups: 4) }
        #expect(groups.contains("Conv1d of 4 → 6 channels cannot be split into 4 groups"), "\(groups)")
        let transposed = Self.error { _ = try ConvTranspose1d(Self.store.scope("up"), inChannels: 4, outChannels: 2, kernelSize: 4, stride: 0) }
        #expect(transposed.contains("module 'up': ConvTranspose1d needs stride ≥ 1"), "\(transposed)")
        let outputPadding = Self.error { _ = try ConvTranspose1d(Self.store.scope("up"), inChannels: 4, outChannels: 2, kernelSize: 4, stride: 2, outputPadding: 2) }
        #expect(outputPadding.contains("output padding 2 must lie in 0 ..< max(stride 2, dilation 1)"), "\(outputPadding)")
    }

    @Test func attentionWidthMustSplitIntoHeads() {
        let description = Self.error { _ = try MultiHeadAttention(Self.store.scope("attention"), dimension: 10, headCount: 3) }
        #expect(description.contains("module 'attention': attention width 10 cannot be split into 3 heads"), "\(description)")
        #expect(Self.error { _ = try MultiHeadAttention(Self.store.scope("attention"), dimension: 12, headCount: 3) } == "no error")
    }
}
