import Foundation
import FuzzTargets

// Built two ways. `make fuzz` compiles with -DHERALD_LIBFUZZER and
// -sanitize=fuzzer,address: libFuzzer's main calls LLVMFuzzerTestOneInput with
// the target HERALD_FUZZ_TARGET names. Otherwise (`swift build`) it is a
// command that writes a target's seeds or replays inputs through it.

#if HERALD_LIBFUZZER
private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["HERALD_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("herald-fuzz: set HERALD_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
#else
/// `herald-fuzz seed TARGET DIR`: writes the target's seeds into DIR.
/// `herald-fuzz TARGET PATH...`: runs each file (or every file of a directory) through the target.
@main
struct HeraldFuzz {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        if arguments.count == 3, arguments[0] == "seed", let target = FuzzTarget(rawValue: arguments[1]) {
            let directory = URL(fileURLWithPath: arguments[2])
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (index, seed) in target.seeds().enumerated() {
                try Data(seed).write(to: directory.appendingPathComponent("seed-\(index)"))
            }
            return
        }
        guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[0]) else {
            print("usage: herald-fuzz seed TARGET DIR | herald-fuzz TARGET PATH...  (targets: \(names))")
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                print("herald-fuzz: no file \(path)")
                exit(1)
            }
            let files = isDirectory.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 } : [path]
            for file in files {
                target.run(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
                count += 1
            }
        }
        print("\(target.rawValue): \(count) inputs ran clean")
    }
}
#endif
