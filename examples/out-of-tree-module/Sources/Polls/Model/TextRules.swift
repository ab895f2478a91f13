import Foundation
import HubKernel

/// The poll module's text rule: trimmed, within a length, no control characters.
enum TextRules {
    static func clean(_ raw: String, field: String, max: Int) throws(ValidationFailure) -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...max).contains(text.count) else {
            throw ValidationFailure(field, "\(field) must be 1 to \(max) characters")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ValidationFailure(field, "\(field) must not contain control characters")
        }
        return text
    }
}
