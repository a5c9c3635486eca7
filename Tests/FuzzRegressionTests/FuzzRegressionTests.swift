import Foundation
import SynseFuzzTargets
import Testing

/// Every input kept for the fuzz targets (`Tests/Fuzz/corpus/<target>/`: the seeds, and every
/// input that once crashed, hung or trapped a parser, as `crash-…`/`timeout-…`) run through its
/// target in-process: a fault fixed once stays fixed.
struct FuzzRegressionTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fuzz/corpus").standardized

  static func inputs(_ target: String) throws -> [URL] {
    let directory = corpus.appendingPathComponent(target)
    return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
  }

  @Test(arguments: FuzzTarget.all.keys.sorted())
  func everyKeptInputRunsThroughItsTarget(target name: String) throws {
    let target = try #require(FuzzTarget.all[name])
    let inputs = try Self.inputs(name)
    #expect(!inputs.isEmpty, "Tests/Fuzz/corpus/\(name) should hold seeds")
    for input in inputs {
      target.run(Array(try Data(contentsOf: input)))
    }
  }

  @Test func everyCorpusDirectoryIsATarget() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
    #expect(Set(names) == Set(FuzzTarget.all.keys))
  }
}
