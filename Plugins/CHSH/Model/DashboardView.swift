/// One team's line on the dashboard (modules.md pins `teamId, name, status, rounds, eligible,
/// correlations, chsh, winRate`).
struct TeamStatsView: Sendable, Encodable, Equatable {
    var teamId: String
    var name: String
    var status: String
    var members: [MemberView]
    /// Completed rounds.
    var rounds: Int
    /// The number of the team's latest round (open or completed); 0 before the first.
    var currentRound: Int
    /// Whether the team finished the balanced first block, and so may win.
    var eligible: Bool
    var correlations: [String: CHSHStatistics.Estimate]
    var chsh: CHSHStatistics.Estimate
    var winRate: CHSHStatistics.Estimate
    var consistency: CHSHStatistics.Estimate?
}

/// The whole game's statistics (every team's rounds pooled).
struct GameStatsView: Sendable, Encodable, Equatable {
    var rounds: Int
    var correlations: [String: CHSHStatistics.Estimate]
    var chsh: CHSHStatistics.Estimate
    var winRate: CHSHStatistics.Estimate
    var consistency: CHSHStatistics.Estimate?
}

/// The bounds shown for context: classical |S| ≤ 2 (win 75 %), quantum 2√2 (≈ 85.36 %).
struct BoundsView: Sendable, Encodable, Equatable {
    struct Bound: Sendable, Encodable, Equatable {
        var chsh: Double
        var winRate: Double
    }
    var classical = Bound(chsh: CHSHStatistics.classicalS, winRate: CHSHStatistics.classicalWinRate)
    var quantum = Bound(chsh: CHSHStatistics.quantumS, winRate: CHSHStatistics.quantumWinRate)
}

/// `chsh.stats` and evt `chsh.dashboard`: everything the host's dashboard draws.
struct DashboardView: Sendable, Encodable, Equatable {
    var game: GameView
    var teams: [TeamStatsView]
    var overall: GameStatsView
    /// Eligible teams, best first: by win rate in simplified mode, by S in classic mode (ties by name).
    var leaderboard: [String]
    /// What the leaderboard ranks by: `winRate` or `chsh`.
    var rankedBy: String
    var bounds = BoundsView()
    /// Players who joined, and how many of them are connected now.
    var players: Int
    var playersPresent: Int
    var computedAt: Int64
}
