import Foundation
import HubKernel

/// The rules every notification follows, whether sent by a person or by another module:
/// a title of 1–200 characters, a body of at most 2000 (code points, as the CHECK constraints
/// count), no control characters (newline and tab allowed in the body), an optional link that is an http(s) URL or a path starting with `/`.
enum NotificationRules {
    static func title(_ raw: String) throws(ValidationFailure) -> String { try TextRule("title", length: 1...200).clean(raw) }

    static func body(_ raw: String) throws(ValidationFailure) -> String { try TextRule("body", length: 0...2000, multiline: true).clean(raw) }

    /// An http(s) URL with a host, or a path from the site's root — parsed, not matched by
    /// prefix: a browser reads `/\evil.example` (backslash) and `/<tab>/evil.example` as
    /// `//evil.example`, a link to another site, so backslashes, controls and spaces are
    /// refused, and a relative link must be a path whose first segment is not empty.
    static func link(_ raw: String?) throws(ValidationFailure) -> String? {
        guard let raw, !raw.isEmpty else { return nil }
        let refused = ValidationFailure("link", "link must be an http(s) URL with a host, or a path starting with a single /")
        guard raw.utf8.count <= 2000, !hasControl(raw, allowing: []), !raw.contains(where: { $0 == " " || $0 == "\\" }),
              let components = URLComponents(string: raw)
        else { throw refused }
        if let scheme = components.scheme?.lowercased() {
            guard scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
                  components.user == nil, components.password == nil
            else { throw refused }
            return raw
        }
        guard components.host == nil, components.path.hasPrefix("/"), !components.path.hasPrefix("//") else { throw refused }
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
