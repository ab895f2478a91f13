import HubKernel
import SQLKit

/// Computes a game's dashboard from stored rows in a fixed number of queries (the game, its
/// players, its teams and their members, the tallies, the round numbers: six, whatever the
/// number of teams or rounds).
struct DashboardBuilder: Sendable {
    let attendance: Attendance
    let clock: any HubClock

    /// Team ids best first by `metric`, ties by name (case-insensitive).
    static func rank(_ lines: [TeamStatsView], by metric: String) -> [String] {
        func score(_ line: TeamStatsView) -> Double {
            let estimate = metric == "winRate" ? line.winRate : line.chsh
            return estimate.value ?? -Double.infinity
        }
        let ordered = lines.sorted { left, right in
            let a = score(left), b = score(right)
            if a != b { return a > b }
            return left.name.lowercased() < right.name.lowercased()
        }
        return ordered.map(\.teamId)
    }

    func build(_ gameID: String, on sql: any SQLDatabase) async throws -> DashboardView? {
        guard let game = try await CHSHStore.game(id: gameID, on: sql) else { return nil }
        let players = try await sql.raw("SELECT id FROM chsh_players WHERE game_id = \(bind: gameID)").all()
            .map { try $0.decode(column: "id", as: String.self) }
        let teams = try await CHSHStore.teams(of: gameID, on: sql)
        let tallies = try await CHSHStore.tallies(of: gameID, on: sql)
        let numbers = try await CHSHStore.currentRounds(of: gameID, on: sql)
        let present = attendance.isPresent
        let lines = teams.map { team in
            let tally = tallies[team.id] ?? Tally()
            let stats = CHSHStatistics(tally, mode: game.mode)
            return TeamStatsView(teamId: team.id, name: team.name, status: team.status, members: team.view(present: present).members,
                                 rounds: tally.rounds, currentRound: numbers[team.id] ?? 0, eligible: tally.rounds >= game.mode.blockSize,
                                 correlations: stats.correlations, chsh: stats.chsh, winRate: stats.winRate, consistency: stats.consistency)
        }
        let pooled = CHSHStatistics(tallies.values.reduce(Tally(), +), mode: game.mode)
        let rankedBy = game.mode == .simplified ? "winRate" : "chsh"
        let leaderboard = Self.rank(lines.filter(\.eligible), by: rankedBy)
        return DashboardView(game: game, teams: lines,
                             overall: GameStatsView(rounds: pooled.rounds, correlations: pooled.correlations, chsh: pooled.chsh,
                                                    winRate: pooled.winRate, consistency: pooled.consistency),
                             leaderboard: leaderboard, rankedBy: rankedBy, players: players.count,
                             playersPresent: players.filter(present).count, computedAt: clock.nowMs())
    }
}
