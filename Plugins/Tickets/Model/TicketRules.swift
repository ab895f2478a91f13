import Foundation
import HubKernel

/// Text and tag rules: stored as sent after trimming; lengths and control characters checked.
enum TicketRules {
    static func subject(_ raw: String) throws(ValidationFailure) -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(text.count) else { throw ValidationFailure("subject", "subject must be 1 to 200 characters") }
        guard !control(text, allowing: []) else { throw ValidationFailure("subject", "subject must not contain control characters") }
        return text
    }

    static func body(_ raw: String, field: String, min: Int, max: Int) throws(ValidationFailure) -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (min...max).contains(text.count) else { throw ValidationFailure(field, "\(field) must be \(min) to \(max) characters") }
        guard !control(text, allowing: ["\n", "\t"]) else {
            throw ValidationFailure(field, "\(field) must not contain control characters other than newline and tab")
        }
        return text
    }

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

    private static func control(_ text: String, allowing: Set<Unicode.Scalar>) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control && !allowing.contains($0) }
    }
}
