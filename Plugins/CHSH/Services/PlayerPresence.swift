import HubKernel

/// Turns connections coming and going into team updates: a player's first connection to a
/// game and their last one leaving change what their team and the dashboard show.
struct PlayerPresence: Sendable {
    let attendance: Attendance
    let store: CHSHStore
    let announcer: CHSHAnnouncer

    /// `player` is connected on `connectionID`.
    func arrive(_ player: CHSHStore.Player, on connectionID: String) async throws {
        guard attendance.arrive(connectionID, player: player.id, game: player.gameID) else { return }
        try await announce(player.gameID, player.id)
    }

    /// `connectionID` closed.
    func leave(_ connectionID: String) async throws {
        guard let (gameID, playerID) = attendance.leave(connectionID) else { return }
        try await announce(gameID, playerID)
    }

    private func announce(_ gameID: String, _ playerID: String) async throws {
        announcer.throttle.changed(gameID)
        guard let team = try await store.team(ofPlayer: playerID) else { return }
        try await announcer.team(team)
    }
}
