import Foundation
import SAModels
import SANN
import SATensor
import SATestSupport
import Testing

/// Number and int conditioners against stable-audio-tools 0.0.19 (`Resources/conditioners.safetensors`): values
/// below, inside and above the range, fractional seconds (0.37, 7.25, 12.3456, 95.1). Normalized values and
/// Fourier features to 1e-6, embeddings to 1e-5 relative; int table indices exactly.
@Suite struct ConditionerParityTests {
    static let path = Bundle.module.resourceURL!.path + "/conditioners.safetensors"

    @Test(arguments: ["seconds_start", "seconds_total", "number_offset", "int_small", "int_timing"])
    func conditionerMatches(id: String) throws {
        let file = try SafeTensorsFile(path: Self.path)
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(file.metadata["cases"]!.utf8)) as? [String: [String: Any]])
        let configuration = try #require(cases[id])
        let values = try #require(configuration["values_python"] as? [NSNumber]).map(\.doubleValue)
        let store = ParameterStore(tensors: try file.tensors { $0.hasPrefix("conditioners.\(id).") }, sourceName: "conditioners")
        let scope = store.scope("conditioners.\(id)")
        let outputDimension = (configuration["output_dim"] as! NSNumber).intValue
        let minimum = (configuration["min_val"] as! NSNumber), maximum = (configuration["max_val"] as! NSNumber)
        let output: ConditionerOutput
        if configuration["type"] as? String == "IntConditioner" {
            let conditioner = try IntConditioner(scope, minimum: minimum.intValue, maximum: maximum.intValue, outputDimension: outputDimension)
            let integers = values.map { Int($0) }
            #expect(try conditioner.indices(integers).map(Float.init) == (try file.tensor(named: "out.\(id).index")).scalars)
            output = try conditioner(integers)
        } else {
            let conditioner = try NumberConditioner(scope, minimum: minimum.floatValue, maximum: maximum.floatValue, outputDimension: outputDimension)
            let normalized = Tensor(shape: [values.count], scalars: conditioner.normalized(values))
            #expect(compare(normalized, try file.tensor(named: "out.\(id).normalized"), absoluteTolerance: 1e-6).passed)
            output = conditioner(values)
        }
        try store.verifyAllUsed()
        let expected = try file.tensor(named: "out.\(id).embeds")
        let comparison = compare(output.embeddings, expected, absoluteTolerance: 1e-5 * expected.maximumAbsolute())
        #expect(comparison.passed, "\(id): \(comparison)")
        #expect(output.mask == (try file.tensor(named: "out.\(id).mask")))
    }

    @Test func intConditionerWithPositiveMinimumRejectsTheTopOfItsRange() throws {
        let store = ParameterStore(tensors: ["int_embedder.weight": Tensor(zeros: [6, 2])])
        let conditioner = try IntConditioner(store.root, minimum: 5, maximum: 10, outputDimension: 2)
        #expect(try conditioner.indices([5]) == [5])
        #expect(throws: ModelConfigurationError.self) { try conditioner.indices([10]) }
    }
}
