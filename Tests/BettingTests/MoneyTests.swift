import Foundation
import HubKernel
import Testing
@testable import Betting

@Suite("money")
struct MoneyTests {
    @Test("amounts parse to cents", arguments: [("5", 500), ("5.5", 550), ("5.50", 550), ("0.01", 1), ("0", 0), ("10000.00", 1_000_000), ("007.10", 710)])
    func parses(text: String, cents: Int64) throws {
        #expect(try Money(parsing: text, field: "amount").minorUnits == cents)
    }

    @Test("anything else is validation_failed naming the field", arguments: ["5.505", "5e2", "-1", "+1", " 5", "5 ", ".5", "5.", "", "1,00", "5.5.5", "0x10", "١٢", "100000000000"])
    func refuses(text: String) {
        #expect(throws: ValidationFailure.self) { try Money(parsing: text, field: "amount") }
        do { _ = try Money(parsing: text, field: "amount") } catch { #expect(error.field == "amount") }
    }

    @Test("outbound amounts have exactly two fraction digits, signed") func formats() {
        #expect(Money(minorUnits: 550).description == "5.50")
        #expect(Money(minorUnits: 5).description == "0.05")
        #expect(Money(minorUnits: 0).description == "0.00")
        #expect(Money(minorUnits: -1205).description == "-12.05")
        #expect(String(decoding: try! JSONEncoder().encode(Money(minorUnits: 1999)), as: UTF8.self) == "\"19.99\"")
    }

    @Test("parse and format round-trip for random amounts") func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let cents = Int64.random(in: 0...9_999_999_999_99, using: &generator)
            #expect(try Money(parsing: Money(minorUnits: cents).description, field: "a").minorUnits == cents)
        }
    }

    @Test("payouts round half up, to the player", arguments: [
        ("1.9", 105, 200), ("1.9", 104, 198), ("1.9", 100, 190), ("1.9", 1, 2), ("9", 123, 1107), ("1.25", 2, 3), ("1.25", 6, 8), ("1.001", 500, 501),
    ])
    func rounding(multiplier: String, stake: Int64, payout: Int64) throws {
        let multiplier = try #require(PayoutMultiplier(multiplier))
        #expect(multiplier.payout(for: Money(minorUnits: stake)).minorUnits == payout)
    }

    @Test("payouts match an exact decimal reference for random stakes and multipliers") func payoutReference() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let stake = Int64.random(in: 1...100_000_000, using: &generator)
            let whole = Int.random(in: 1...999, using: &generator)
            let digits = Int.random(in: 0...4, using: &generator)
            let fraction = digits == 0 ? "" : "." + String((0..<digits).map { _ in "0123456789".randomElement(using: &generator)! })
            let text = "\(whole)\(fraction)"
            let multiplier = try #require(PayoutMultiplier(text))
            // the reference: Foundation's Decimal, exact for these sizes, rounded .plain (half up)
            var product = Decimal(stake) * Decimal(string: text)!
            var rounded = Decimal()
            NSDecimalRound(&rounded, &product, 0, .plain)
            #expect(Decimal(multiplier.payout(for: Money(minorUnits: stake)).minorUnits) == rounded, "\(stake) × \(text)")
        }
    }

    @Test("multipliers from configuration", arguments: ["0.5", "1001", "1.00001", "x", "", "-2", "1e1",
                                                           // found by the money fuzz target: trapped on overflow
                                                           "99999999999999995.50", "922337203685477.5807"])
    func badMultipliers(text: String) {
        #expect(PayoutMultiplier(text) == nil)
    }

    @Test("multipliers print as configured") func multiplierText() throws {
        #expect(try #require(PayoutMultiplier("1.90")).description == "1.9")
        #expect(try #require(PayoutMultiplier("9")).description == "9")
        #expect(try #require(PayoutMultiplier("1.05")).description == "1.05")
    }
}
