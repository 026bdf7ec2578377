import Foundation
import FuzzTargets
import Testing

/// Every fuzz target's seeds, and every input kept in Fuzz/Regressions/<target>/
/// (crashes the fuzzer found, with their fix), run clean: the targets keep
/// building and the corpora keep passing.
@Suite("fuzz targets: seeds and regressions")
struct FuzzRegressionTests {
    static let regressions = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Regressions")

    @Test("seeds run clean", arguments: FuzzTarget.allCases)
    func seeds(target: FuzzTarget) {
        let seeds = target.seeds()
        #expect(!seeds.isEmpty, "\(target.rawValue) has no seeds")
        for seed in seeds { target.run(seed) }
    }

    @Test("kept regression inputs run clean", arguments: FuzzTarget.allCases)
    func regressions(target: FuzzTarget) throws {
        let directory = Self.regressions.appendingPathComponent(target.rawValue)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for file in files.sorted() where !file.hasPrefix(".") {
            target.run(Array(try Data(contentsOf: directory.appendingPathComponent(file))))
        }
    }
}
