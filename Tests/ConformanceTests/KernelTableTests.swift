import Foundation
import Testing

/// No module's SQL names a kernel table (`hub_*`): modules read accounts through the
/// `UserDirectory`, so the kernel may change how it stores them. Foreign keys to
/// `hub_users (id)` are schema and allowed.
@Suite("Modules stay out of the kernel's tables")
struct KernelTableTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("no module source names a hub_ table except in REFERENCES") func noKernelTables() throws {
        var offenders: [String] = []
        var scanned = 0
        for folder in ["Plugins", "examples/out-of-tree-module/Sources"] {
            let base = Self.root.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
            for file in files where file.pathExtension == "swift" {
                scanned += 1
                let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                for (number, line) in lines.enumerated() where line.contains("hub_") {
                    let withoutForeignKeys = line.replacingOccurrences(of: "REFERENCES hub_users", with: "")
                    if withoutForeignKeys.contains("hub_") {
                        offenders.append("\(file.path.replacingOccurrences(of: Self.root.path + "/", with: "")):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        #expect(scanned > 50, "found only \(scanned) module sources under \(Self.root.path)")
        #expect(offenders.isEmpty, "\(offenders.joined(separator: "\n"))")
    }
}
