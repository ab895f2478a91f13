public import HubKernel

/// An amount of money in integer minor units (cents). Never a floating-point number.
///
/// On the wire money is a decimal string (protocol.md "Money"): inbound at most two
/// fraction digits (`"5"`, `"5.5"` and `"5.50"` are the same amount); outbound exactly two
/// (`"5.50"`), signed in the ledger (`"-5.50"` for a debit).
public struct Money: Sendable, Hashable, Comparable, Encodable, CustomStringConvertible {
    /// The amount in cents.
    public let minorUnits: Int64

    /// The largest amount the wire accepts: 10^13 − 1 units, far above any balance and far
    /// below where a product with a payout multiplier could overflow 64 bits.
    static let maxUnits: Int64 = 9_999_999_999_999

    /// An amount of `minorUnits` cents.
    public init(minorUnits: Int64) { self.minorUnits = minorUnits }

    /// Parses an inbound amount: digits, then optionally `.` and one or two digits.
    /// - Throws: `validation_failed` naming `field` for anything else (`"5.505"`, `"5e2"`,
    ///   `"-1"`, `" 5"`, `".5"`, `"5."`, an empty string) or an amount above ``maxUnits``.
    public init(parsing text: String, field: String) throws(ValidationFailure) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        let isDigits: (Substring) -> Bool = { $0.utf8.allSatisfy { (48...57).contains($0) } }
        guard !whole.isEmpty, whole.count <= 11, isDigits(whole), isDigits(fraction),
              parts.count == 1 || (1...2).contains(fraction.count)
        else {
            throw ValidationFailure(field, "\(field) must be a decimal string with at most two fraction digits, like \"12.50\"")
        }
        let cents = Int64(whole)! * 100 + (fraction.isEmpty ? 0 : Int64(fraction)! * (fraction.count == 1 ? 10 : 1))
        guard cents <= Self.maxUnits else { throw ValidationFailure(field, "\(field) is too large") }
        minorUnits = cents
    }

    /// The amount with exactly two fraction digits, `-` for a negative one.
    public var description: String {
        let magnitude = minorUnits.magnitude
        let cents = magnitude % 100
        return (minorUnits < 0 ? "-" : "") + "\(magnitude / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
    }

    /// Encodes as the decimal string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }

    /// Zero.
    public static let zero = Money(minorUnits: 0)
}
