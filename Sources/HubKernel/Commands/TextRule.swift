import Foundation

/// The rule for one piece of user text, counted the way the database counts it.
///
/// SQLite's and PostgreSQL's `length()` count Unicode code points, and every CHECK constraint
/// on a text column is written with it; Swift's `String.count` counts user-perceived
/// characters, so `"é"` typed as `e` + U+0301 is one for Swift and two for the database, and a
/// name that passed a `count` check could break the CHECK and answer `internal`. A
/// `TextRule` trims, counts code points, and so agrees with the constraint by construction;
/// UTF-8 bounds the bytes at four per code point. Control characters are refused (newline
/// and tab allowed in multi-line text).
/// ```swift
/// static let subject = TextRule("subject", length: 1...200)
/// let text = try Self.subject.clean(payload.subject)
/// ```
public struct TextRule: Sendable, Equatable {
    /// The payload field named in the `validation_failed` error.
    public let field: String
    /// The allowed length in Unicode code points, after trimming: the CHECK's bounds.
    public let length: ClosedRange<Int>
    /// Whether newline and tab are allowed (bodies, descriptions) or refused (titles, names).
    public let multiline: Bool

    /// A rule for `field`: `length` code points after trimming, newlines only when `multiline`.
    public init(_ field: String, length: ClosedRange<Int>, multiline: Bool = false) {
        self.field = field
        self.length = length
        self.multiline = multiline
    }

    /// The most UTF-8 bytes a text that passes can take (four per code point).
    public var maxBytes: Int { length.upperBound * 4 }

    /// `raw` without surrounding whitespace, when it keeps the rule.
    /// - Throws: `validation_failed` naming ``field``.
    public func clean(_ raw: String) throws(ValidationFailure) -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let count = text.unicodeScalars.count
        guard length.contains(count) else {
            let bounds = length.lowerBound == 0 ? "at most \(length.upperBound)" : "\(length.lowerBound) to \(length.upperBound)"
            throw ValidationFailure(field, "\(field) must be \(bounds) characters (Unicode code points; it has \(count))")
        }
        let forbidden = text.unicodeScalars.contains { scalar in
            scalar.properties.generalCategory == .control && !(multiline && (scalar == "\n" || scalar == "\t"))
        }
        guard !forbidden else {
            throw ValidationFailure(field, multiline ? "\(field) must not contain control characters other than newline and tab"
                                                     : "\(field) must not contain control characters")
        }
        return text
    }
}
