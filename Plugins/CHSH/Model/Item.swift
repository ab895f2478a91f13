/// A question of the CHSH game. Slot 1 asks `A`/`B`, slot 2 `X`/`Y` in simplified mode;
/// in classic mode either slot may get any of the four.
enum Item: String, Sendable, Codable, CaseIterable, Comparable {
    case a = "A", b = "B", x = "X", y = "Y"

    static func < (lhs: Item, rhs: Item) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether the item is one of the first player's CHSH questions (`A`, `B`).
    var isAliceSide: Bool { self == .a || self == .b }
}

/// The two items dealt to a team in one round: slot 1's, then slot 2's.
struct Pairing: Sendable, Hashable, Comparable {
    var first: Item
    var second: Item

    /// `"AX"`: the key of the pairing in statistics (slot 1's item first).
    var key: String { first.rawValue + second.rawValue }

    /// Whether the pairing is one of the CHSH game's four (one `A`/`B`, one `X`/`Y`, either order).
    var isCHSHPair: Bool { first.isAliceSide != second.isAliceSide }

    /// Whether the CHSH rule wants different answers: the pair is {B, Y}.
    var wantsDifferentAnswers: Bool { Set([first, second]) == [.b, .y] }

    static func < (lhs: Pairing, rhs: Pairing) -> Bool { lhs.key < rhs.key }
}

/// How questions are dealt: `simplified` is exactly the CHSH game (slot 1 gets A/B, slot 2
/// X/Y); `classic` lets either player get any item.
enum GameMode: String, Sendable, Codable, CaseIterable {
    case simplified, classic

    /// The pairings this mode deals.
    var pool: [Pairing] {
        switch self {
        case .simplified: [Item.a, .b].flatMap { first in [Item.x, .y].map { Pairing(first: first, second: $0) } }
        case .classic: Item.allCases.flatMap { first in Item.allCases.map { Pairing(first: first, second: $0) } }
        }
    }

    /// How often each pairing appears in the balanced first block (4 simplified, 2 classic).
    var repeats: Int { self == .simplified ? 4 : 2 }

    /// Rounds in the balanced first block: 16 simplified, 32 classic.
    var blockSize: Int { pool.count * repeats }
}
