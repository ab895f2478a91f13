/// Completed rounds counted by pairing: how many agreed and how many disagreed. The only
/// input of the statistics; it is read from `chsh_tallies`, which the transaction that
/// completes a round keeps (never from connections), so it has at most 16 cells whatever the
/// number of rounds.
struct Tally: Sendable, Equatable {
    /// Agreeing and disagreeing answers per pairing (slot 1's item first).
    struct Cell: Sendable, Equatable {
        var agree = 0
        var disagree = 0
        var n: Int { agree + disagree }
    }

    var cells: [Pairing: Cell] = [:]

    /// Counts `count` rounds of `pairing` whose answers agreed (or not).
    mutating func add(_ pairing: Pairing, agreed: Bool, count: Int = 1) {
        if agreed { cells[pairing, default: Cell()].agree += count } else { cells[pairing, default: Cell()].disagree += count }
    }

    /// Every completed round.
    var rounds: Int { cells.values.reduce(0) { $0 + $1.n } }

    /// The sum of two tallies (a game's teams pooled).
    static func + (lhs: Tally, rhs: Tally) -> Tally {
        var sum = lhs
        for (pairing, cell) in rhs.cells {
            sum.add(pairing, agreed: true, count: cell.agree)
            sum.add(pairing, agreed: false, count: cell.disagree)
        }
        return sum
    }
}
