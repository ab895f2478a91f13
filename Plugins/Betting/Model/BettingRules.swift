import HubKernel

/// The checks commands share.
enum BettingRules {
    /// A table name: 1–32 characters of `a-z 0-9 _ -`.
    static func isTableName(_ name: String) -> Bool {
        (1...32).contains(name.utf8.count) && name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 || $0 == 45 }
    }

    /// An idempotency key: 1–64 printable ASCII characters.
    static func idempotencyKey(_ key: String) throws(ValidationFailure) {
        guard (1...64).contains(key.utf8.count), key.utf8.allSatisfy({ (33...126).contains($0) }) else {
            throw ValidationFailure("idempotencyKey", "idempotencyKey must be 1 to 64 printable ASCII characters")
        }
    }

    /// A page size: 1–100, default 50.
    static func limit(_ limit: Int?) throws(ValidationFailure) -> Int {
        guard let limit else { return 50 }
        guard (1...100).contains(limit) else { throw ValidationFailure("limit", "limit must be 1 to 100") }
        return limit
    }

    /// A cursor from a `nextCursor`: a non-negative integer.
    static func cursor(_ before: String?) throws(ValidationFailure) -> Int64? {
        guard let before else { return nil }
        guard let value = CursorNumber.parse(before) else {
            throw ValidationFailure("before", "before must be a cursor from nextCursor")
        }
        return value
    }
}
