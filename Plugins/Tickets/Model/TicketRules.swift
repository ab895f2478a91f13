import Foundation
import HubKernel

/// Text and tag rules: stored as sent after trimming; lengths (in code points, as the CHECK
/// constraints count) and control characters checked.
enum TicketRules {
    /// The subject: 1–200 code points, one line (the CHECK on `tickets.subject`).
    static let subject = TextRule("subject", length: 1...200)
    /// The description: up to 20,000 code points, newlines allowed (`tickets.description`).
    static let description = TextRule("description", length: 0...20_000, multiline: true)
    /// A comment's body: 1–10,000 code points, newlines allowed (`ticket_comments.body`).
    static let commentBody = TextRule("body", length: 1...10_000, multiline: true)

    static func tags(_ raw: [String]) throws(ValidationFailure) -> [String] {
        guard raw.count <= 10 else { throw ValidationFailure("tags", "at most 10 tags") }
        var tags: [String] = []
        for (index, tag) in raw.enumerated() {
            let tag = tag.lowercased()
            guard (1...32).contains(tag.count),
                  tag.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
            else { throw ValidationFailure("tags[\(index)]", "tags are 1 to 32 characters of a-z, 0-9 and -") }
            if !tags.contains(tag) { tags.append(tag) }
        }
        return tags
    }

    static func status(_ raw: String, field: String = "status") throws(ValidationFailure) -> TicketStatus {
        guard let status = TicketStatus(rawValue: raw) else {
            throw ValidationFailure(field, "\(field) must be new, open, pending, on_hold, solved or closed")
        }
        return status
    }

    static func priority(_ raw: String, field: String = "priority") throws(ValidationFailure) -> TicketPriority {
        guard let priority = TicketPriority(rawValue: raw) else {
            throw ValidationFailure(field, "\(field) must be low, normal, high or urgent")
        }
        return priority
    }

    static func id(_ raw: String, field: String) throws(ValidationFailure) {
        guard (1...64).contains(raw.count) else { throw ValidationFailure(field, "\(field) must be an id") }
    }
}
