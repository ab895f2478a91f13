/// The statistics of one team (or a whole game) from its ``Tally``; docs/modules/chsh.md
/// derives every formula with a worked example.
///
/// - Correlation of a pairing: E = (agree − disagree) / n, an average of ±1 outcomes, with
///   standard error √((1 − E²) / (n − 1)) (the sample standard deviation over √n); `nil`
///   below two rounds.
/// - **The CHSH estimator ("orientation-averaged S")**: per orientation, S = E(A,X) + E(A,Y) +
///   E(B,X) − E(B,Y) over the cells where slot 1 asks A/B (orientation 1) or where slot 1 asks
///   X/Y (orientation 2, the same sum with the slots swapped); S is the mean over the
///   orientations whose four cells all have rounds. Simplified mode only deals orientation 1,
///   so S is the textbook sum. Averaging orientations with equal weight keeps a classical
///   strategy at |S| ≤ 2 even when classic mode deals them unevenly (pooling them weighted by
///   count, the reference app's second estimator, does not). Its standard error adds the
///   cells' variances (independent rounds) divided by the number of orientations squared.
/// - Win rate of the CHSH rule over rounds with one A/B and one X/Y item: a win when the
///   answers differ exactly for {B, Y}; p = wins / n, standard error √(p(1 − p) / (n − 1)).
/// - Consistency (classic): the share of same-question rounds whose answers agree.
struct CHSHStatistics: Sendable, Equatable {
    /// A value with its standard error (`nil` when it cannot be estimated yet).
    struct Estimate: Sendable, Equatable, Encodable {
        var value: Double?
        var stderr: Double?
        var n: Int

        /// Writes `null` for what cannot be estimated yet, so every client sees the same keys.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(value, forKey: .value)
            try container.encode(stderr, forKey: .stderr)
            try container.encode(n, forKey: .n)
        }
        private enum CodingKeys: String, CodingKey { case value, stderr, n }
    }

    var rounds: Int
    var correlations: [String: Estimate]
    var chsh: Estimate
    var winRate: Estimate
    var consistency: Estimate?

    /// The classical (local hidden variable) bound on |S| and the best classical win rate.
    static let classicalS = 2.0, classicalWinRate = 0.75
    /// Tsirelson's bound 2√2 and the quantum win rate cos²(π/8) = (2 + √2)/4.
    static let quantumS = 2 * 2.0.squareRoot(), quantumWinRate = (2 + 2.0.squareRoot()) / 4

    init(_ tally: Tally, mode: GameMode) {
        rounds = tally.rounds
        var correlations: [String: Estimate] = [:]
        for (pairing, cell) in tally.cells where cell.n > 0 { correlations[pairing.key] = Self.correlation(cell) }
        self.correlations = correlations

        var orientations: [(value: Double, variance: Double?)] = []
        var n = 0
        for (a, b, x, y) in [(Item.a, Item.b, Item.x, Item.y), (Item.x, Item.y, Item.a, Item.b)] {
            let terms = [(Pairing(first: a, second: x), 1.0), (Pairing(first: a, second: y), 1.0),
                         (Pairing(first: b, second: x), 1.0), (Pairing(first: b, second: y), -1.0)]
            let cells = terms.compactMap { term in tally.cells[term.0].flatMap { $0.n > 0 ? ($0, term.1) : nil } }
            guard cells.count == 4 else { continue }
            let estimates = cells.map { (Self.correlation($0.0), $0.1) }
            let value = estimates.reduce(0.0) { $0 + $1.1 * ($1.0.value ?? 0) }
            let variances = estimates.map { $0.0.stderr.map { $0 * $0 } }
            orientations.append((value, variances.contains(where: { $0 == nil }) ? nil : variances.reduce(0.0) { $0 + $1! }))
            n += cells.reduce(0) { $0 + $1.0.n }
        }
        if orientations.isEmpty {
            chsh = Estimate(value: nil, stderr: nil, n: 0)
        } else {
            let k = Double(orientations.count)
            let variance = orientations.contains(where: { $0.variance == nil }) ? nil : orientations.reduce(0.0) { $0 + $1.variance! } / (k * k)
            chsh = Estimate(value: orientations.reduce(0.0) { $0 + $1.value } / k, stderr: variance.map { $0.squareRoot() }, n: n)
        }

        var wins = 0, played = 0, same = 0, agreeing = 0
        for (pairing, cell) in tally.cells {
            if pairing.isCHSHPair {
                played += cell.n
                wins += pairing.wantsDifferentAnswers ? cell.disagree : cell.agree
            } else if pairing.first == pairing.second {
                same += cell.n
                agreeing += cell.agree
            }
        }
        winRate = Self.proportion(wins, of: played)
        consistency = mode == .classic ? Self.proportion(agreeing, of: same) : nil
    }

    static func correlation(_ cell: Tally.Cell) -> Estimate {
        guard cell.n > 0 else { return Estimate(value: nil, stderr: nil, n: 0) }
        let n = Double(cell.n)
        let e = Double(cell.agree - cell.disagree) / n
        return Estimate(value: e, stderr: cell.n >= 2 ? (max(0, 1 - e * e) / (n - 1)).squareRoot() : nil, n: cell.n)
    }

    static func proportion(_ hits: Int, of n: Int) -> Estimate {
        guard n > 0 else { return Estimate(value: nil, stderr: nil, n: 0) }
        let p = Double(hits) / Double(n)
        return Estimate(value: p, stderr: n >= 2 ? (p * (1 - p) / Double(n - 1)).squareRoot() : nil, n: n)
    }
}
