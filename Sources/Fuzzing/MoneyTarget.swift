import Betting
import Foundation

/// Money as the wire carries it (``Money/init(parsing:field:)``) and the payout multiplier
/// as configuration spells it (``PayoutMultiplier``), checked against `Decimal`.
///
/// Properties: an accepted amount is exactly the decimal the text says (in cents), at most
/// two fraction digits and within the wire's maximum, and prints back to a text that parses
/// to the same amount; a text `Decimal` reads as such an amount in the canonical
/// digits-dot-digits spelling is accepted. A multiplier parses without trapping, and an
/// accepted one is 1…1000 and pays a rounded-half-up amount for any stake.
struct MoneyTarget: FuzzTarget {
    init() async throws {}

    func run(_ input: Data) async {
        guard let text = String(data: input, encoding: .utf8) else { return }
        checkAmount(text, input: input)
        checkMultiplier(text, input: input)
    }

    private func checkAmount(_ text: String, input: Data) {
        let parsed = try? Money(parsing: text, field: "amount")
        let expected = Self.referenceCents(text)
        guard parsed?.minorUnits == expected else {
            FuzzFinding.report("Money read \(String(describing: parsed?.minorUnits)) cents where the reference reads \(String(describing: expected))", input: input)
        }
        if let parsed, (try? Money(parsing: parsed.description, field: "amount")) != parsed {
            FuzzFinding.report("Money's printed form \(parsed.description) does not parse back", input: input)
        }
    }

    private func checkMultiplier(_ text: String, input: Data) {
        guard let multiplier = PayoutMultiplier(text) else { return }
        let one = multiplier.payout(for: Money(minorUnits: 100))
        guard (100...100_000).contains(one.minorUnits) else {
            FuzzFinding.report("an accepted multiplier \(multiplier) pays \(one) for 1.00", input: input)
        }
        // stakes go up to BettingConfiguration's largest maximum bet (10^8 cents)
        let stake = Money(minorUnits: 100_000_000)
        guard let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            FuzzFinding.report("an accepted multiplier is not a decimal number", input: input)
        }
        let exact = decimal * Decimal(stake.minorUnits)
        var rounded = Decimal()
        var value = exact
        NSDecimalRound(&rounded, &value, 0, .plain)
        guard multiplier.payout(for: stake).minorUnits == NSDecimalNumber(decimal: rounded).int64Value else {
            FuzzFinding.report("multiplier \(multiplier) pays \(multiplier.payout(for: stake)) for \(stake), not \(rounded)", input: input)
        }
    }

    /// The amount in cents by an independent reading: ASCII digits (1–11), optionally `.` and
    /// one or two digits, valued with `Decimal`, at most 10^13 − 1 cents.
    private static func referenceCents(_ text: String) -> Int64? {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        let isDigits: (Substring) -> Bool = { !$0.isEmpty && $0.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }
        guard (1...2).contains(pieces.count), isDigits(pieces[0]), pieces[0].count <= 11,
              pieces.count == 1 || (isDigits(pieces[1]) && pieces[1].count <= 2),
              let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        let cents = NSDecimalNumber(decimal: value * 100).int64Value
        return cents <= 9_999_999_999_999 ? cents : nil
    }
}
