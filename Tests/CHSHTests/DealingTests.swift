import Testing
@testable import CHSH

@Suite("CHSH dealing")
struct DealingTests {
    static func block(_ mode: GameMode, seed: UInt64) -> [Pairing] {
        var random = SplitMix64(state: seed)
        var counts: [Pairing: Int] = [:]
        var dealt: [Pairing] = []
        for number in 1...(mode.blockSize + 40) {
            let pairing = BalancedDealer(mode: mode).deal(round: number, dealtInBlock: counts, using: &random)
            if number <= mode.blockSize { counts[pairing, default: 0] += 1 }
            dealt.append(pairing)
        }
        return dealt
    }

    @Test("simplified: each of the 4 pairings exactly 4 times in rounds 1–16, slot 1 A/B and slot 2 X/Y always", arguments: [1, 2, 3, 99] as [UInt64])
    func simplified(seed: UInt64) {
        let dealt = Self.block(.simplified, seed: seed)
        let block = Dictionary(grouping: dealt.prefix(16), by: \.key).mapValues(\.count)
        #expect(block == ["AX": 4, "AY": 4, "BX": 4, "BY": 4])
        #expect(dealt.allSatisfy { [.a, .b].contains($0.first) && [.x, .y].contains($0.second) })
    }

    @Test("classic: each of the 16 ordered pairings exactly twice in rounds 1–32", arguments: [1, 5, 8] as [UInt64])
    func classic(seed: UInt64) {
        let block = Dictionary(grouping: Self.block(.classic, seed: seed).prefix(32), by: \.key).mapValues(\.count)
        #expect(block.count == 16 && block.values.allSatisfy { $0 == 2 })
    }

    @Test("the block's order is random, and after it every pairing still comes up") func random() {
        #expect(Self.block(.simplified, seed: 1).prefix(16).map(\.key) != Self.block(.simplified, seed: 2).prefix(16).map(\.key))
        var random = SplitMix64(state: 3)
        let after = (0..<400).map { _ in BalancedDealer(mode: .simplified).deal(round: 17, dealtInBlock: [:], using: &random).key }
        #expect(Set(after) == ["AX", "AY", "BX", "BY"])
    }
}
