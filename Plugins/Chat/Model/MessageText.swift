import Foundation
import HubKernel

/// The rule for message text: trimmed, 1 to `maxLength` user-perceived characters, no control
/// characters except newline and tab. Stored and returned exactly as sent otherwise: escaping
/// belongs to the renderer.
enum MessageText {
    static func clean(_ raw: String, maxLength: Int, field: String = "text") throws(ValidationFailure) -> String {
        let text = trimmed(raw)
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

    /// `raw` without leading and trailing white space and newlines (as Foundation's
    /// `whitespacesAndNewlines`: Unicode's White_Space), without bridging to `NSString` — this
    /// runs for every message sent.
    static func trimmed(_ raw: String) -> String {
        let scalars = raw.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) ?? first
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return raw }
        return String(scalars[first...last])
    }
}
