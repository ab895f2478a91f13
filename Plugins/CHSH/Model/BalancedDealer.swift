/// Deals a team's next pairing. Rounds 1 to ``GameMode/blockSize`` form a balanced block:
/// every pairing of the mode appears exactly ``GameMode/repeats`` times, in random order (a
/// draw without replacement from the block, so every order is equally likely); after the
/// block each round is drawn uniformly at random.
struct BalancedDealer: Sendable {
    let mode: GameMode

    /// The pairing of round `number`, given how often each pairing was dealt in the team's
    /// rounds of the block so far.
    func deal<R: RandomNumberGenerator>(round number: Int, dealtInBlock counts: [Pairing: Int], using random: inout R) -> Pairing {
        let pool = mode.pool
        guard number <= mode.blockSize else { return pool.randomElement(using: &random)! }
        let remaining = pool.map { max(0, mode.repeats - counts[$0, default: 0]) }
        let total = remaining.reduce(0, +)
        // a block left incomplete (a mode's rounds deleted by hand): uniform rather than stuck
        guard total > 0 else { return pool.randomElement(using: &random)! }
        var pick = Int.random(in: 0..<total, using: &random)
        for (pairing, weight) in zip(pool, remaining) {
            if pick < weight { return pairing }
            pick -= weight
        }
        return pool[pool.count - 1]
    }
}
