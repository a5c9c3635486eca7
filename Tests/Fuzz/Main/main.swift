import Foundation
import SynseFuzzTargets

// libFuzzer's driver (https://llvm.org/docs/LibFuzzer.html), started through its
// `LLVMFuzzerRunDriver`: SwiftPM gives an executable its own `main`, so libFuzzer's is left
// out. One binary, one target per parser of outside input, chosen by `SYNSETEST_FUZZ_TARGET`
// (`scripts/fuzz.sh` runs each in turn). A target must not crash, trap or hang on any input;
// every input that once did is kept in `Tests/Fuzz/corpus/<target>/` (`crash-…`) beside the
// seeds, and the test suite replays them all.

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

let name = ProcessInfo.processInfo.environment["SYNSETEST_FUZZ_TARGET"] ?? ""
guard let chosen = FuzzTarget.all[name] else {
  FileHandle.standardError.write(Data("SYNSETEST_FUZZ_TARGET must be one of: \(FuzzTarget.all.keys.sorted().joined(separator: ", "))\n".utf8))
  exit(2)
}
nonisolated(unsafe) let target = chosen

var argc = CommandLine.argc
var argv = Optional(CommandLine.unsafeArgv)
exit(runDriver(&argc, &argv) { start, count in
  target.run(start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
  return 0
})

/// libFuzzer's own `main` (linked in, though `main` above is the one that runs) refers to it.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  target.run(start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
  return 0
}
