import Foundation
import HubKernel

/// The rules every notification follows, whether sent by a person or by another module:
/// a title of 1–200 characters, a body of at most 2000, no control characters (newline and tab
/// allowed in the body), an optional link that is an http(s) URL or a path starting with `/`.
enum NotificationRules {
    static func title(_ raw: String) throws(ValidationFailure) -> String {
        let title = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(title.count) else { throw ValidationFailure("title", "title must be 1 to 200 characters") }
        guard !hasControl(title, allowing: []) else { throw ValidationFailure("title", "title must not contain control characters") }
        return title
    }

    static func body(_ raw: String) throws(ValidationFailure) -> String {
        let body = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard body.count <= 2000 else { throw ValidationFailure("body", "body must be at most 2000 characters") }
        guard !hasControl(body, allowing: ["\n", "\t"]) else {
            throw ValidationFailure("body", "body must not contain control characters other than newline and tab")
        }
        return body
    }

    static func link(_ raw: String?) throws(ValidationFailure) -> String? {
        guard let raw, !raw.isEmpty else { return nil }
        let lower = raw.lowercased()
        guard raw.count <= 2000, lower.hasPrefix("https://") || lower.hasPrefix("http://") || (raw.hasPrefix("/") && !raw.hasPrefix("//")),
              !hasControl(raw, allowing: []), !raw.contains(" ")
        else { throw ValidationFailure("link", "link must be an http(s) URL or a path starting with /") }
        return raw
    }

    static func category(_ raw: String) throws(ValidationFailure) -> OutgoingNotification.Category {
        guard let category = OutgoingNotification.Category(rawValue: raw) else {
            throw ValidationFailure("category", "category must be info, success, warning or error")
        }
        return category
    }

    private static func hasControl(_ text: String, allowing allowed: Set<Unicode.Scalar>) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control && !allowed.contains($0) }
    }
}
