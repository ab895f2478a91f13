import Foundation
import HubKernel

/// A team's name: trimmed, 1 to 40 characters (Unicode code points, as the database's
/// CHECK counts them; at most 160 bytes), no control characters. Unique in its game
/// case-insensitively, through ``key``.
struct TeamName: Sendable, Equatable {
    let text: String

    /// Trims and checks `raw`. - Throws: `validation_failed` naming `name`.
    init(_ raw: String) throws(ValidationFailure) {
        let trimmed = try Self.rule.clean(raw)
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .format && $0.value != 0x200D }) else {
            throw ValidationFailure("name", "a team name must not contain control characters")
        }
        text = trimmed
    }

    /// 1–40 code points after trimming, one line (the CHECK on `chsh_teams.name`).
    static let rule = TextRule("name", length: 1...40)

    /// The case-insensitive form the uniqueness rule compares.
    var key: String { text.lowercased() }
}
