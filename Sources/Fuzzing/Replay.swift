import Foundation

/// Runs saved inputs through a target once each: the committed corpus and saved findings as
/// regression tests, in an ordinary (uninstrumented) build.
enum Replay {
    /// Runs every file named by `paths` (a directory means the files in it).
    /// - Returns: the exit code: 0 when every input passed (a broken property stops the process).
    static func run(_ target: any FuzzTarget, paths: [String]) async -> Int32 {
        var files: [URL] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("switchboard-fuzz: no such file or directory: \(path)\n".utf8))
                return 1
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().filter { !$0.hasPrefix(".") }.map { URL(fileURLWithPath: path).appendingPathComponent($0) }
            } else {
                files.append(URL(fileURLWithPath: path))
            }
        }
        for file in files {
            guard let input = try? Data(contentsOf: file) else {
                FileHandle.standardError.write(Data("switchboard-fuzz: cannot read \(file.path)\n".utf8))
                return 1
            }
            await target.run(input)
        }
        print("replayed \(files.count) inputs: every property held")
        return 0
    }
}
