import HubKernel
import Testing
@testable import Betting

/// Vectors computed independently (Python's hashlib and hmac) from the pinned algorithm.
@Suite("provably fair")
struct ProvablyFairTests {
    static let seed = [UInt8](0..<32)

    @Test("the commitment is SHA-256 of the seed bytes, lowercase hex") func commitment() {
        #expect(ProvablyFair.commitment(of: Self.seed) == "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd")
    }

    @Test("the result is the first HMAC byte below 250, mod 10", arguments: [
        ("round-1", 4), ("0b4c2a1e-6f3e-4a44-9b1c-2f1d7d0e9a01", 0), ("é", 6),
        ("r15", 6),  // its first byte is 255: rejected, the next one counts
    ])
    func result(roundID: String, expected: Int) {
        #expect(ProvablyFair.result(seed: Self.seed, roundID: roundID) == expected)
    }

    @Test("results are uniform over 0-9 (no modulo bias)") func uniform() {
        var counts = [Int](repeating: 0, count: 10)
        let seed = ProvablyFair.newSeed()
        for index in 0..<20_000 { counts[ProvablyFair.result(seed: seed, roundID: "r\(index)")] += 1 }
        // each digit expects 2000; 5 standard deviations (~212) either way
        #expect(counts.allSatisfy { (1788...2212).contains($0) }, "\(counts)")
    }

    @Test("hex round-trips; seeds are 32 fresh bytes") func hex() {
        let seed = ProvablyFair.newSeed()
        #expect(seed.count == 32)
        #expect(ProvablyFair.bytes(hex: ProvablyFair.hex(seed)) == seed)
        #expect(ProvablyFair.newSeed() != seed)
        #expect(ProvablyFair.bytes(hex: "abc") == nil && ProvablyFair.bytes(hex: "zz") == nil)
        #expect(ProvablyFair.hex([0x00, 0xAB, 0xFF]) == "00abff")
    }

    @Test("bet selections: parsing, and which results win") func selections() throws {
        #expect(try BetSelection(type: "number", selection: "7").wins(7))
        #expect(try !BetSelection(type: "number", selection: "7").wins(8))
        #expect(try BetSelection(type: "size", selection: "small").wins(4))
        #expect(try !BetSelection(type: "size", selection: "small").wins(5))
        #expect(try BetSelection(type: "size", selection: "big").wins(5))
        #expect(try BetSelection(type: "parity", selection: "odd").wins(9))
        #expect(try BetSelection(type: "parity", selection: "even").wins(0))
        for (type, selection, field) in [("number", "10", "selection"), ("number", "-1", "selection"), ("number", " 1", "selection"),
                                         ("size", "medium", "selection"), ("parity", "Odd", "selection"), ("color", "red", "type")] {
            do {
                _ = try BetSelection(type: type, selection: selection)
                Issue.record("\(type) \(selection) was accepted")
            } catch {
                #expect(error.field == field)
            }
        }
    }
}
