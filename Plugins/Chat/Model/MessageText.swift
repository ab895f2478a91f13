import Foundation
import HubKernel

/// The rule for message text: trimmed, 1 to `maxLength` user-perceived characters, no control
/// characters except newline and tab. Stored and returned exactly as sent otherwise: escaping
/// belongs to the renderer.
enum MessageText {
    static func clean(_ raw: String, maxLength: Int, field: String = "text") throws(ValidationFailure) -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ValidationFailure(field, "\(field) must not be empty") }
        guard text.count <= maxLength else {
            throw ValidationFailure(field, "\(field) must be 1 to \(maxLength) characters")
        }
        let forbidden = text.unicodeScalars.contains { scalar in
            scalar.properties.generalCategory == .control && scalar != "\n" && scalar != "\t"
        }
        guard !forbidden else { throw ValidationFailure(field, "\(field) must not contain control characters other than newline and tab") }
        return text
    }
}
