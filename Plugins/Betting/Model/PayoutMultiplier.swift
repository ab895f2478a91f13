/// How many times the stake a winning bet pays back (the stake included): `9` for a number,
/// `1.9` for size and parity. Exact: a decimal kept as an integer over a power of ten.
///
/// Rounding rule: the product of a stake (in cents) and a multiplier is rounded to the cent
/// **half up** — a half cent goes to the player. With `1.9`, a stake of `1.05` pays
/// `1.995` → `2.00`; `1.04` pays `1.976` → `1.98`. No other rounding happens anywhere.
public struct PayoutMultiplier: Sendable, Equatable, CustomStringConvertible {
    /// The multiplier times ``scale``.
    let numerator: Int64
    /// A power of ten.
    let scale: Int64

    /// Parses a multiplier from configuration: digits, optionally `.` and up to four digits, at least 1 and at most 1000.
    /// - Returns: `nil` when `text` is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let fraction = parts.count == 2 ? parts[1] : ""
        // the whole part is bounded before it is scaled: a long one would overflow Int64
        guard let whole = Int64(parts[0]), whole <= 1000, parts[0].utf8.allSatisfy({ (48...57).contains($0) }),
              fraction.utf8.allSatisfy({ (48...57).contains($0) }), parts.count == 1 || (1...4).contains(fraction.count)
        else { return nil }
        var scale: Int64 = 1
        for _ in fraction { scale *= 10 }
        numerator = whole * scale + (fraction.isEmpty ? 0 : Int64(fraction)!)
        self.scale = scale
        guard numerator >= scale, numerator <= 1000 * scale else { return nil }
    }

    /// What `stake` pays when it wins, rounded half up to the cent.
    public func payout(for stake: Money) -> Money {
        // stakes are at most maxBet ≤ 10^8 cents (BettingConfiguration) and numerators ≤ 10^7
        let product = stake.minorUnits * numerator
        let (quotient, remainder) = product.quotientAndRemainder(dividingBy: scale)
        return Money(minorUnits: quotient + (remainder * 2 >= scale ? 1 : 0))
    }

    /// The multiplier as configured, without trailing zeros (`1.9`, `9`).
    public var description: String {
        guard scale > 1 else { return "\(numerator)" }
        var fraction = String(numerator % scale)
        while fraction.count < String(scale).count - 1 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(numerator / scale)" : "\(numerator / scale).\(fraction)"
    }
}
